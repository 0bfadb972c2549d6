package io.portcullis.operator.status;

import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.SortedLists;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether every dataplane serves a ProxyRoute as it is now. Not simply "acked the current
 * version": a change elsewhere publishes a new version too, and flipping every ProxyRoute to
 * Pending and back for it was two status writes per ProxyRoute per change (and the watch events
 * they cause), at any scale. A ProxyRoute is served once the first version that carries its
 * routes, their hosts' TLS and filters and its certificate exactly as now is acked (or a later
 * one). When the current version is programmed everywhere, so is everything in it.
 *
 * <p>One status pass: {@link #startPass} with the result, {@link #programmed} per ProxyRoute, then
 * {@link #forget} each ProxyRoute that is gone. The status writer's thread only.
 */
final class ProgrammedRoutes {
  /** One route as a dataplane serves it (records: compared by value, mostly by identity). */
  private record Served(String host, Route route, TlsPolicy tls, List<FilterConfig> hostFilters,
      TlsCertificate certificate) {}

  private record ServedSince(List<Served> served, String version) {}

  /** Per ProxyRoute key: what the dataplanes serve of it, and the first version that served it so. */
  private final Map<String, ServedSince> servedSince = new HashMap<>();
  /**
   * The routes ProxyRoutes produced in the pass's result, by route name, with their virtual host
   * (the certificate is looked up per pass: a rotated Secret changes it, not the host).
   */
  private final Map<String, HostRoute> routes = new HashMap<>();
  /** The result {@link #routes} describes: passes that only look at new acks reuse it. */
  private CompileResult routesOf;

  private record HostRoute(VirtualHost host, Route route) {}

  /**
   * Follows the result's virtual hosts: a walk of the previous and the new list (both sorted by
   * host) that skips the hosts handed on as the same instance and reads the routes of the others
   * only, instead of every route of every host per result (most of the writer's CPU per change
   * once it looked only at changed objects: ~1 ms at 5,000).
   */
  void startPass(CompileResult result) {
    if (result == routesOf) {
      return;
    }
    List<VirtualHost> before = routesOf == null ? List.of() : routesOf.snapshot().virtualHosts();
    List<VirtualHost> now = result.snapshot().virtualHosts();
    routesOf = result;
    List<VirtualHost> added = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < before.size() || j < now.size()) {
      VirtualHost a = i < before.size() ? before.get(i) : null;
      VirtualHost b = j < now.size() ? now.get(j) : null;
      if (a == b) {
        i++;
        j++;
        continue;
      }
      int order = a == null ? 1 : b == null ? -1 : a.host().compareTo(b.host());
      if (order <= 0) {
        removeRoutesOf(a);
        i++;
      }
      if (order >= 0) {
        added.add(b);
        j++;
      }
    }
    // After every removal: a route that moved to another host is the other host's now.
    for (VirtualHost vhost : added) {
      for (Route route : vhost.routes()) {
        if (route.name().startsWith("proxyroute/")) {
          routes.put(route.name(), new HostRoute(vhost, route));
        }
      }
    }
  }

  private void removeRoutesOf(VirtualHost vhost) {
    for (Route route : vhost.routes()) {
      if (route.name().startsWith("proxyroute/")) {
        routes.remove(route.name());
      }
    }
  }

  private Served served(String routeName) {
    HostRoute found = routes.get(routeName);
    if (found == null) {
      return null;
    }
    VirtualHost vhost = found.host();
    String certificate = vhost.tls() == null ? null : vhost.tls().certificate();
    // A binary search of the snapshot's sorted list rather than a map of every certificate
    // (3,334 at 10,000 Ingresses) per result.
    TlsCertificate cert = certificate == null ? null
        : SortedLists.find(routesOf.snapshot().certificates(), certificate, TlsCertificate::name);
    return new Served(vhost.host(), found.route(), vhost.tls(), vhost.filters(), cert);
  }


  /**
   * @param key the ProxyRoute's namespace/name
   * @param version the version of the pass's result
   * @param currentProgrammed whether every dataplane acked {@code version}
   */
  boolean programmed(String key, ObjectStatus status, String version, boolean currentProgrammed,
      ProgrammedCheck check) {
    List<Served> now = new ArrayList<>(status.routeNames().size());
    for (String route : status.routeNames()) {
      now.add(served(route));
    }
    ServedSince before = servedSince.get(key);
    String since = currentProgrammed || before == null || !before.served().equals(now)
        ? version : before.version();
    servedSince.put(key, new ServedSince(now, since));
    return currentProgrammed || (!since.equals(version) && check.isProgrammed(since));
  }

  /** Forgets a ProxyRoute that is gone. */
  void forget(String key) {
    servedSince.remove(key);
  }

  /** Forgets everything (a new leader starts over). */
  void clear() {
    servedSince.clear();
  }
}
