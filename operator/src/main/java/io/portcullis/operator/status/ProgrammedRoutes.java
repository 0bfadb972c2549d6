package io.portcullis.operator.status;

import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.snapshot.Route;
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
  /** The routes ProxyRoutes produced in the pass's result, by route name. */
  private Map<String, Served> served = Map.of();
  /** The result {@link #served} was found in: passes that only look at new acks reuse it. */
  private CompileResult servedOf;

  void startPass(CompileResult result) {
    if (result == servedOf) {
      return;
    }
    servedOf = result;
    Map<String, Served> out = new HashMap<>();
    List<TlsCertificate> certificates = result.snapshot().certificates();
    for (VirtualHost vhost : result.snapshot().virtualHosts()) {
      for (Route route : vhost.routes()) {
        if (!route.name().startsWith("proxyroute/")) {
          continue;
        }
        String certificate = vhost.tls() == null ? null : vhost.tls().certificate();
        out.put(route.name(), new Served(vhost.host(), route, vhost.tls(), vhost.filters(),
            certificate == null ? null : named(certificates, certificate)));
      }
    }
    served = out;
  }

  /**
   * The certificate called {@code name} in a snapshot's list, which is sorted by name: a binary
   * search rather than a map of every certificate (3,334 at 10,000 Ingresses) per result.
   */
  private static TlsCertificate named(List<TlsCertificate> sorted, String name) {
    int low = 0;
    int high = sorted.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int order = sorted.get(mid).name().compareTo(name);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return sorted.get(mid);
      }
    }
    return null;
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
      now.add(served.get(route));
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
