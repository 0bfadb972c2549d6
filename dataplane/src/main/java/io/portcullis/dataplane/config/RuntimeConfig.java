package io.portcullis.dataplane.config;

import io.portcullis.dataplane.filter.ChainCompiler;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filter.SharedChainInputs;
import java.util.List;
import io.portcullis.dataplane.http.HostNames;
import io.portcullis.dataplane.filters.staticcontent.StaticSite;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * An applied snapshot: the routing index, each route's compiled filter chain (the hosts' TLS
 * policies among them) and the SNI certificate table, swapped in together with one reference
 * write by {@link LiveConfig}. A new config reuses the index of every virtual host that did not
 * change (and whose clusters are the same instances), so applying a one-host delta indexes one
 * host, not all of them. Immutable once built; a request keeps the instance it started with
 * even when a newer one is swapped in.
 *
 * <p>A request's host picks one virtual host: the exact one, else the wildcard one label up, else
 * the host-less one. Its path is then matched only there; with no match it goes to the default
 * cluster, else 404. Lookup cost depends on the request, never on the number of routes.
 */
public final class RuntimeConfig {
  /** Route name reported for requests served by the default backend. */
  public static final String DEFAULT_ROUTE = "default-backend";

  private final Snapshot snapshot;
  private final LayeredMap<String, ClusterRuntime> clusters;
  private final LayeredMap<String, VirtualHostIndex> exactHosts;
  /** Wildcard virtual hosts by the suffix after {@code *.}. */
  private final LayeredMap<String, VirtualHostIndex> wildcardHosts;
  private final VirtualHostIndex anyHost;
  private final ClusterRuntime defaultCluster;
  /** For requests whose host has no virtual host. */
  private final FilterChain noHostFilters;
  private final CertificateTable certificates;
  /** The static sites of static routes, by route name (built with the routing index). */
  private final Map<String, StaticSite> staticSites;
  /** How many hosts check client certificates: kept per delta, it decides {@link #shared}. */
  private final int clientCertificateHosts;
  /** What every chain of this config was compiled with besides its own host and route. */
  private final SharedChainInputs shared;
  /** {@link #clusters()}, made on first use and handed on while the clusters stay the same. */
  private volatile List<ClusterRuntime> sortedClusters;
  /** What changed from the config this one replaced; null when built from the whole snapshot. */
  private final Delta change;
  /** Which hosts route to each cluster: the hosts a replaced cluster re-indexes. */
  private final ClusterUsers clusterUsers;

  private RuntimeConfig(Snapshot snapshot, RuntimeConfig previous, ChainCompiler compiler,
      CertificateTable certificates, Delta change) {
    this.snapshot = snapshot;
    this.certificates = certificates;
    this.change = change;
    // Clusters whose endpoints change in place are shared with the previous config, which may
    // serve on if this one is rejected: they take the new endpoints only once nothing can throw.
    List<Runnable> inPlace = new ArrayList<>();
    ClusterChange clusterChange = change == null ? null : updateChanged(change, previous, inPlace);
    this.clusters = clusterChange != null
        ? clusterChange.clusters() : reuseUnchanged(snapshot, previous, inPlace);
    this.clientCertificateHosts = change == null
        ? countClientCertificateHosts(snapshot.virtualHosts())
        : previous.clientCertificateHosts + clientCertificateHostsAdded(change, previous);
    this.shared = new SharedChainInputs(clientCertificateHosts > 0);
    boolean hostsUnchanged = change != null
        && change.upsertVirtualHosts().isEmpty() && change.removeVirtualHosts().isEmpty();
    if (previous != null && (clusterChange != null
        ? hostsUnchanged && !clusterChange.replacedOrRemoved()
        : routingUnchanged(previous))) {
      // The cheap path of an endpoint-only change: the clusters were updated in place, so the old
      // index (and the weighted pickers' state in it) points at exactly the right instances.
      this.exactHosts = previous.exactHosts;
      this.wildcardHosts = previous.wildcardHosts;
      this.anyHost = previous.anyHost;
      this.noHostFilters = previous.noHostFilters;
      this.staticSites = previous.staticSites;
      this.clusterUsers = previous.clusterUsers;
    } else {
      ChainCompiler.SnapshotChains chains = compiler.forSnapshot(shared);
      RuntimeConfig reusable = previous != null && previous.shared.equals(shared) ? previous : null;
      if (reusable != null && clusterChange != null) {
        // Only the hosts the delta names, and those routing to a cluster it replaced (a new
        // instance), are indexed again; every other host's index serves as it is: its clusters
        // are the same instances, and a valid snapshot routes to no removed cluster, so a host
        // that used one is among the delta's hosts.
        this.clusterUsers = previous.clusterUsers.after(change, previous::hostBefore);
        HostSlots hosts = new HostSlots(previous.exactHosts, previous.wildcardHosts, previous.anyHost);
        change.removeVirtualHosts().forEach(hosts::remove);
        Set<String> indexed = new HashSet<>();
        for (VirtualHost vhost : change.upsertVirtualHosts()) {
          hosts.put(vhost, new VirtualHostIndex(vhost, clusters::get, chains));
          indexed.add(vhost.host());
        }
        for (String replaced : clusterChange.replaced()) {
          for (String host : clusterUsers.of(replaced)) {
            if (indexed.add(host)) {
              VirtualHost vhost = previous.hostBefore(host);
              hosts.put(vhost, new VirtualHostIndex(vhost, clusters::get, chains));
            }
          }
        }
        this.exactHosts = hosts.exact();
        this.wildcardHosts = hosts.wildcard();
        this.anyHost = hosts.any();
        this.noHostFilters = previous.noHostFilters;
        this.staticSites = touchesStaticRoutes(change, previous) ? staticSites(snapshot) : previous.staticSites;
      } else {
        HostSlots hosts = HostSlots.empty();
        for (VirtualHost vhost : snapshot.virtualHosts()) {
          VirtualHostIndex old = reusable == null ? null : reusable.indexOf(vhost.host());
          hosts.put(vhost, old != null && old.serves(vhost, clusters::get)
              ? old
              : new VirtualHostIndex(vhost, clusters::get, chains));
        }
        this.exactHosts = hosts.exact();
        this.wildcardHosts = hosts.wildcard();
        this.anyHost = hosts.any();
        this.noHostFilters = chains.host(null);
        this.staticSites = staticSites(snapshot);
        this.clusterUsers = ClusterUsers.of(snapshot.virtualHosts());
      }
    }
    this.defaultCluster =
        snapshot.defaultCluster() == null ? null : clusters.get(snapshot.defaultCluster());
    if (previous != null && clusters == previous.clusters) {
      // The same cluster instances under the same names (endpoints may change in place).
      this.sortedClusters = previous.sortedClusters;
    }
    inPlace.forEach(Runnable::run);
  }

  /**
   * The clusters after {@code change}: the previous map with the delta's clusters updated in place
   * where they can be (same name and policy: their balancing state carries over), built anew
   * where not, and the removed ones gone.
   *
   * @param replaced the clusters that got a new instance: host indexes that resolved the old one
   *     cannot serve as they are ({@link ClusterUsers} names them)
   * @param removed a cluster went away (every host that used it is in the delta)
   */
  private record ClusterChange(
      LayeredMap<String, ClusterRuntime> clusters, Set<String> replaced, boolean removed) {
    boolean replacedOrRemoved() {
      return !replaced.isEmpty() || removed;
    }
  }

  private static ClusterChange updateChanged(
      Delta change, RuntimeConfig previous, List<Runnable> inPlace) {
    LayeredMap.Editor<String, ClusterRuntime> result = previous.clusters.edit();
    Set<String> replaced = new HashSet<>();
    change.removeClusters().forEach(result::remove);
    for (Cluster cluster : change.upsertClusters()) {
      ClusterRuntime old = result.get(cluster.name());
      if (old != null && old.canUpdateInPlace(cluster)) {
        inPlace.add(() -> old.updateEndpoints(cluster));
      } else {
        result.put(cluster.name(), new ClusterRuntime(cluster));
        if (old != null) {
          replaced.add(cluster.name());
        }
      }
    }
    return new ClusterChange(result.build(), replaced, !change.removeClusters().isEmpty());
  }

  /** How many of {@code hosts} check client certificates. */
  private static int countClientCertificateHosts(List<VirtualHost> hosts) {
    int count = 0;
    for (VirtualHost vhost : hosts) {
      count += SharedChainInputs.checksClientCertificates(vhost) ? 1 : 0;
    }
    return count;
  }

  /** The change in that count by {@code change}: its hosts now, less what they were before. */
  private static int clientCertificateHostsAdded(Delta change, RuntimeConfig previous) {
    int added = countClientCertificateHosts(change.upsertVirtualHosts());
    for (VirtualHost vhost : change.upsertVirtualHosts()) {
      added -= SharedChainInputs.checksClientCertificates(previous.hostBefore(vhost.host())) ? 1 : 0;
    }
    for (String host : change.removeVirtualHosts()) {
      added -= SharedChainInputs.checksClientCertificates(previous.hostBefore(host)) ? 1 : 0;
    }
    return added;
  }

  /** The virtual host this config serves under exactly this pattern, or null. */
  private VirtualHost hostBefore(String host) {
    VirtualHostIndex index = indexOf(host);
    return index == null ? null : index.host();
  }

  /** Whether {@code change} adds, changes or removes a host that has (or had) static routes. */
  private static boolean touchesStaticRoutes(Delta change, RuntimeConfig previous) {
    for (VirtualHost vhost : change.upsertVirtualHosts()) {
      if (hasStaticRoutes(vhost) || hasStaticRoutes(previous.hostBefore(vhost.host()))) {
        return true;
      }
    }
    for (String host : change.removeVirtualHosts()) {
      if (hasStaticRoutes(previous.hostBefore(host))) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasStaticRoutes(VirtualHost vhost) {
    return vhost != null
        && vhost.routes().stream().anyMatch(r -> r.action() instanceof RouteAction.Static);
  }

  /** The index built for exactly this host pattern, or null (package-private for tests). */
  VirtualHostIndex indexOf(String host) {
    if (host.equals(VirtualHost.ANY_HOST)) {
      return anyHost;
    }
    if (host.startsWith("*.")) {
      return wildcardHosts.get(host.substring(2));
    }
    return exactHosts.get(host);
  }

  /**
   * Whether {@code previous}'s routing index serves this config as is: same virtual hosts and
   * the very same cluster instances under the same names.
   */
  private boolean routingUnchanged(RuntimeConfig previous) {
    if (previous.clusters.size() != clusters.size()) {
      return false;
    }
    boolean[] same = {true};
    clusters.forEach((name, cluster) -> same[0] &= previous.clusters.get(name) == cluster);
    return same[0] && previous.snapshot.virtualHosts().equals(snapshot.virtualHosts());
  }

  /**
   * Whether this config routes with the index objects of {@code other} (an endpoint-only change
   * took the cheap path).
   */
  public boolean sharesRoutingIndexWith(RuntimeConfig other) {
    return other != null
        && other.exactHosts == exactHosts
        && other.wildcardHosts == wildcardHosts
        && other.anyHost == anyHost;
  }

  /**
   * Indexes {@code snapshot}.
   *
   * @param previous the config being replaced (its unchanged clusters are reused, so their
   *     balancing state carries over), or null
   * @throws ConfigRejectedException when the snapshot cannot be served, naming the resources
   */
  public static RuntimeConfig build(Snapshot snapshot, RuntimeConfig previous,
      ChainCompiler chains, CertificateTable certificates) {
    return build(snapshot, previous, chains, certificates, changeSince(previous, snapshot));
  }

  /**
   * What changed from {@code previous}'s snapshot to {@code snapshot}: an identity walk over both,
   * so an untouched part costs a reference comparison. Null when there is no previous config or a
   * snapshot has no version (then everything is looked at).
   */
  static Delta changeSince(RuntimeConfig previous, Snapshot snapshot) {
    return previous == null || previous.snapshot.version().isBlank() || snapshot.version().isBlank()
        ? null : Delta.between(previous.snapshot, snapshot);
  }

  /**
   * Indexes {@code snapshot}, looking only at what {@code change} names where it can.
   *
   * @param change the delta from {@code previous}'s snapshot to {@code snapshot}, or null (then
   *     every host is looked at)
   */
  static RuntimeConfig build(Snapshot snapshot, RuntimeConfig previous,
      ChainCompiler chains, CertificateTable certificates, Delta change) {
    try {
      return new RuntimeConfig(snapshot, previous, chains, certificates,
          previous == null ? null : change);
    } catch (IllegalArgumentException e) {
      throw new ConfigRejectedException("a filter config cannot be applied: " + e.getMessage(),
          List.of("filters"));
    }
  }

  /** A config without filters and certificates (routing tests). */
  public static RuntimeConfig build(Snapshot snapshot, RuntimeConfig previous) {
    return build(snapshot, previous, ChainCompiler.NONE, CertificateTable.NONE);
  }

  /**
   * The delta from the snapshot of the config this one was built from to this one's, or null when
   * it was built from the whole snapshot (the first config): what the apply listeners need look
   * at.
   */
  public Delta change() {
    return change;
  }

  /** The SNI certificate table that came with this config. */
  public CertificateTable certificates() {
    return certificates;
  }

  private static Map<String, StaticSite> staticSites(Snapshot snapshot) {
    Map<String, StaticSite> sites = new HashMap<>();
    Map<String, io.portcullis.snapshot.StaticBlob> blobs = null;
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      for (var route : vhost.routes()) {
        if (route.action() instanceof RouteAction.Static) {
          blobs = blobs == null ? snapshot.blobsByDigest() : blobs;
          sites.put(route.name(), StaticSite.of(route, blobs));
        }
      }
    }
    return sites;
  }

  private static LayeredMap<String, ClusterRuntime> reuseUnchanged(
      Snapshot snapshot, RuntimeConfig previous, List<Runnable> inPlace) {
    Map<String, ClusterRuntime> result = new HashMap<>();
    for (Cluster cluster : snapshot.clusters()) {
      ClusterRuntime old = previous == null ? null : previous.clusters.get(cluster.name());
      if (old != null && old.canUpdateInPlace(cluster)) {
        inPlace.add(() -> old.updateEndpoints(cluster));
        result.put(cluster.name(), old);
      } else {
        result.put(cluster.name(), new ClusterRuntime(cluster));
      }
    }
    return LayeredMap.copyOf(result);
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public String version() {
    return snapshot.version();
  }

  /**
   * Every cluster, sorted by name (for the admin views and the listeners of each applied config;
   * not for the request path). Made once per set of clusters: an endpoint-only change hands the
   * list on, since its clusters are the same instances.
   */
  public List<ClusterRuntime> clusters() {
    List<ClusterRuntime> sorted = sortedClusters;
    if (sorted == null) {
      // The snapshot's clusters are sorted by name already.
      List<ClusterRuntime> all = new ArrayList<>(snapshot.clusters().size());
      for (Cluster cluster : snapshot.clusters()) {
        all.add(clusters.get(cluster.name()));
      }
      sorted = Collections.unmodifiableList(all);
      sortedClusters = sorted;
    }
    return sorted;
  }

  /** The cluster with this name, or null. */
  public ClusterRuntime cluster(String name) {
    return clusters.get(name);
  }

  /** Routes one request. */
  public RouteDecision route(RequestHead request) {
    String path = PathNormalizer.normalize(request.path());
    VirtualHostIndex vhost = virtualHost(HostNames.normalize(request.host()));
    CompiledRoute match = vhost == null ? null : vhost.match(path, request);
    if (match == null) {
      FilterChain hostFilters = vhost == null ? noHostFilters : vhost.hostFilters;
      if (defaultCluster == null) {
        return new RouteDecision.NotFound(hostFilters);
      }
      return new RouteDecision.Forward(
          DEFAULT_ROUTE, defaultCluster, withQuery(path, request.query()), 0, 0, null, null,
          hostFilters);
    }
    var route = match.route;
    RouteAction action = route.action();
    if (action instanceof RouteAction.Forward forward) {
      String upstreamPath = match.upstreamPath(forward.prefixRewrite(), path);
      return new RouteDecision.Forward(
          route.name(),
          match.backends.pick(),
          withQuery(upstreamPath, request.query()),
          forward.timeoutMillis(),
          forward.idleTimeoutMillis(),
          forward.retriesOrDefault(),
          mirrorTarget(forward),
          match.filters);
    }
    if (action instanceof RouteAction.Redirect redirect) {
      return new RouteDecision.Redirect(
          route.name(), redirect.statusCode(), Redirects.location(redirect, request, path),
          match.filters);
    }
    if (action instanceof RouteAction.Static) {
      return new RouteDecision.Static(
          route.name(), staticSites.get(route.name()), match.filters);
    }
    RouteAction.DirectResponse direct = (RouteAction.DirectResponse) action;
    return new RouteDecision.Direct(route.name(), direct.status(), direct.body(), match.filters);
  }

  private RouteDecision.MirrorTarget mirrorTarget(RouteAction.Forward forward) {
    if (forward.mirror() == null) {
      return null;
    }
    ClusterRuntime shadow = clusters.get(forward.mirror().cluster());
    return shadow == null ? null : new RouteDecision.MirrorTarget(shadow, forward.mirror().percent());
  }

  private VirtualHostIndex virtualHost(String host) {
    if (host != null) {
      VirtualHostIndex exact = exactHosts.get(host);
      if (exact != null) {
        return exact;
      }
      int dot = host.indexOf('.');
      if (dot > 0 && !wildcardHosts.isEmpty()) {
        VirtualHostIndex wildcard = wildcardHosts.get(host.substring(dot + 1));
        if (wildcard != null) {
          return wildcard;
        }
      }
    }
    return anyHost;
  }

  /**
   * Applies a prefix rewrite: the matched prefix is replaced by {@code rewrite} at a segment
   * boundary ({@code /api} → {@code /}: {@code /api/users} becomes {@code /users}). For exact and
   * regex routes the whole path is replaced (a regex route's {@code $n} references to its capture
   * groups are {@link RegexRewrite}'s).
   */
  static String rewrite(PathMatch match, String rewrite, String path) {
    if (rewrite == null) {
      return path;
    }
    if (!(match instanceof PathMatch.Prefix prefix)) {
      return rewrite;
    }
    String rest = prefix.value().equals("/") ? path.substring(1) : path.substring(prefix.value().length());
    if (rest.isEmpty()) {
      return rewrite.isEmpty() ? "/" : rewrite;
    }
    if (rest.charAt(0) != '/') {
      rest = "/" + rest;
    }
    String base = rewrite.endsWith("/") ? rewrite.substring(0, rewrite.length() - 1) : rewrite;
    return base + rest;
  }

  private static String withQuery(String path, String query) {
    return query == null ? path : path + "?" + query;
  }
}
