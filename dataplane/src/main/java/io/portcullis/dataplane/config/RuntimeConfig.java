package io.portcullis.dataplane.config;

import io.portcullis.dataplane.filter.ChainCompiler;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.filter.FilterChain;
import java.util.List;
import io.portcullis.dataplane.http.HostNames;
import io.portcullis.dataplane.filters.staticcontent.StaticSite;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
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
  private final Map<String, ClusterRuntime> clusters;
  private final Map<String, VirtualHostIndex> exactHosts;
  /** Wildcard virtual hosts by the suffix after {@code *.}. */
  private final Map<String, VirtualHostIndex> wildcardHosts;
  private final VirtualHostIndex anyHost;
  private final ClusterRuntime defaultCluster;
  /** For requests whose host has no virtual host. */
  private final FilterChain noHostFilters;
  private final CertificateTable certificates;
  /** The static sites of static routes, by route name (built with the routing index). */
  private final Map<String, StaticSite> staticSites;

  private RuntimeConfig(Snapshot snapshot, RuntimeConfig previous, ChainCompiler compiler,
      CertificateTable certificates) {
    this.snapshot = snapshot;
    this.certificates = certificates;
    // What changed since the previous config: a walk that compares parts by identity, so a
    // one-host delta costs that host here, not a lookup per cluster and per host of 10,000.
    Delta change = previous == null || previous.snapshot.version().isBlank()
        || snapshot.version().isBlank() ? null : Delta.between(previous.snapshot, snapshot);
    ClusterChange clusterChange = change == null ? null : updateChanged(change, previous);
    this.clusters = clusterChange != null ? clusterChange.clusters() : reuseUnchanged(snapshot, previous);
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
    } else {
      ChainCompiler.SnapshotChains chains = compiler.forSnapshot(snapshot);
      RuntimeConfig reusable =
          previous != null && sameSnapshotWideChainInputs(previous.snapshot, snapshot) ? previous : null;
      Map<String, VirtualHostIndex> exact;
      Map<String, VirtualHostIndex> wildcard;
      VirtualHostIndex any;
      if (reusable != null && clusterChange != null && !clusterChange.replacedOrRemoved()) {
        // Only the hosts the delta names are indexed again; every other host's index serves as
        // it is (its clusters are the same instances, and a valid snapshot names no removed one).
        exact = new HashMap<>(previous.exactHosts);
        wildcard = new HashMap<>(previous.wildcardHosts);
        any = previous.anyHost;
        for (String host : change.removeVirtualHosts()) {
          if (host.equals(VirtualHost.ANY_HOST)) {
            any = null;
          } else if (host.startsWith("*.")) {
            wildcard.remove(host.substring(2));
          } else {
            exact.remove(host);
          }
        }
        for (VirtualHost vhost : change.upsertVirtualHosts()) {
          VirtualHostIndex index = new VirtualHostIndex(vhost, clusters, chains);
          if (vhost.host().equals(VirtualHost.ANY_HOST)) {
            any = index;
          } else if (vhost.isWildcard()) {
            wildcard.put(vhost.host().substring(2), index);
          } else {
            exact.put(vhost.host(), index);
          }
        }
      } else {
        exact = new HashMap<>();
        wildcard = new HashMap<>();
        any = null;
        for (VirtualHost vhost : snapshot.virtualHosts()) {
          VirtualHostIndex old = reusable == null ? null : reusable.indexOf(vhost.host());
          VirtualHostIndex index = old != null && old.serves(vhost, clusters)
              ? old
              : new VirtualHostIndex(vhost, clusters, chains);
          if (vhost.host().equals(VirtualHost.ANY_HOST)) {
            any = index;
          } else if (vhost.isWildcard()) {
            wildcard.put(vhost.host().substring(2), index);
          } else {
            exact.put(vhost.host(), index);
          }
        }
      }
      this.exactHosts = exact;
      this.wildcardHosts = wildcard;
      this.anyHost = any;
      this.noHostFilters = chains.host(null);
      this.staticSites = previous != null && previous.staticSites.isEmpty() && change != null
          && change.upsertVirtualHosts().stream().noneMatch(RuntimeConfig::hasStaticRoutes)
          ? previous.staticSites : staticSites(snapshot);
    }
    this.defaultCluster =
        snapshot.defaultCluster() == null ? null : clusters.get(snapshot.defaultCluster());
  }

  /**
   * The clusters after {@code change}: the previous map with the delta's clusters updated in place
   * where they can be (same name and policy: their balancing state carries over), built anew
   * where not, and the removed ones gone.
   *
   * @param replacedOrRemoved a cluster got a new instance or went away: host indexes that
   *     resolved the old one cannot serve as they are
   */
  private record ClusterChange(Map<String, ClusterRuntime> clusters, boolean replacedOrRemoved) {}

  private static ClusterChange updateChanged(Delta change, RuntimeConfig previous) {
    Map<String, ClusterRuntime> result = new HashMap<>(previous.clusters);
    boolean replacedOrRemoved = !change.removeClusters().isEmpty();
    change.removeClusters().forEach(result::remove);
    for (Cluster cluster : change.upsertClusters()) {
      ClusterRuntime old = result.get(cluster.name());
      if (old != null && old.canUpdateInPlace(cluster)) {
        old.updateEndpoints(cluster);
      } else {
        result.put(cluster.name(), new ClusterRuntime(cluster));
        replacedOrRemoved |= old != null;
      }
    }
    return new ClusterChange(result, replacedOrRemoved);
  }

  private static boolean hasStaticRoutes(VirtualHost vhost) {
    return vhost.routes().stream().anyMatch(r -> r.action() instanceof RouteAction.Static);
  }

  /**
   * Whether the filter chains of two snapshots' unchanged virtual hosts are the same. A chain
   * compiler sees the whole snapshot ({@link ChainCompiler#forSnapshot}); the one snapshot-wide
   * fact the standard chains use is whether any host checks client certificates (then hosts
   * without TLS get the TLS filter too, to refuse such connections). Any other snapshot-wide
   * input a chain compiler grows must be compared here, or untouched hosts would keep stale chains.
   */
  private static boolean sameSnapshotWideChainInputs(Snapshot previous, Snapshot next) {
    return checksClientCertificates(previous) == checksClientCertificates(next);
  }

  private static boolean checksClientCertificates(Snapshot snapshot) {
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      if (vhost.tls() != null && vhost.tls().clientCertificates() != null) {
        return true;
      }
    }
    return false;
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
    if (!previous.clusters.keySet().equals(clusters.keySet())) {
      return false;
    }
    for (Map.Entry<String, ClusterRuntime> e : clusters.entrySet()) {
      if (previous.clusters.get(e.getKey()) != e.getValue()) {
        return false;
      }
    }
    return previous.snapshot.virtualHosts().equals(snapshot.virtualHosts());
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
   * Every endpoint of every cluster now (without the terminating flag; clusters are shared with
   * newer configs, so ask the current one): upstream connection pools keep idle connections to
   * these and close the rest.
   */
  public Set<Endpoint> endpoints() {
    Set<Endpoint> all = new HashSet<>();
    for (ClusterRuntime c : clusters.values()) {
      for (UpstreamEndpoint e : c.endpoints()) {
        all.add(e.endpoint());
      }
    }
    return all;
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
    try {
      return new RuntimeConfig(snapshot, previous, chains, certificates);
    } catch (IllegalArgumentException e) {
      throw new ConfigRejectedException("a filter config cannot be applied: " + e.getMessage(),
          List.of("filters"));
    }
  }

  /** A config without filters and certificates (routing tests). */
  public static RuntimeConfig build(Snapshot snapshot, RuntimeConfig previous) {
    return build(snapshot, previous, ChainCompiler.NONE, CertificateTable.NONE);
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

  private static Map<String, ClusterRuntime> reuseUnchanged(
      Snapshot snapshot, RuntimeConfig previous) {
    Map<String, ClusterRuntime> result = new HashMap<>();
    for (Cluster cluster : snapshot.clusters()) {
      ClusterRuntime old = previous == null ? null : previous.clusters.get(cluster.name());
      if (old != null && old.canUpdateInPlace(cluster)) {
        old.updateEndpoints(cluster);
        result.put(cluster.name(), old);
      } else {
        result.put(cluster.name(), new ClusterRuntime(cluster));
      }
    }
    return result;
  }

  public Snapshot snapshot() {
    return snapshot;
  }

  public String version() {
    return snapshot.version();
  }

  /** Every cluster, sorted by name (for the admin views; not for the request path). */
  public java.util.List<ClusterRuntime> clusters() {
    return clusters.values().stream()
        .sorted(java.util.Comparator.comparing(ClusterRuntime::name))
        .toList();
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
