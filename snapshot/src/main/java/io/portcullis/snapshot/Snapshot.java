package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The whole configuration of a dataplane at one version: what the operator compiles and streams,
 * and what the dataplane swaps in with one reference write.
 *
 * <p>The version is a content hash ({@link #of}), so identical configs have identical versions and
 * a reconnecting dataplane that already holds a version needs nothing resent. Collections are
 * sorted by a stable key so that the JSON, and therefore the hash, is canonical. Routes inside a
 * virtual host are the exception: their order is their priority, decided by the compiler.
 *
 * @param version content hash of everything else
 * @param virtualHosts one per host pattern, sorted by host
 * @param clusters every cluster a route forwards to, sorted by name
 * @param defaultCluster the cluster for requests that match no route, or null for a plain 404
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Snapshot(
    String version, List<VirtualHost> virtualHosts, List<Cluster> clusters, String defaultCluster) {

  public Snapshot {
    Objects.requireNonNull(version, "version");
    virtualHosts = Sorted.copy(virtualHosts, Comparator.comparing(VirtualHost::host));
    clusters = Sorted.copy(clusters, Comparator.comparing(Cluster::name));
    Sorted.requireUnique(virtualHosts, VirtualHost::host, "virtual host");
    Sorted.requireUnique(clusters, Cluster::name, "cluster");
    requireClustersExist(virtualHosts, clusters, defaultCluster);
    requireUniqueRouteNames(virtualHosts);
  }

  /** An empty snapshot: every request gets 404. */
  public static Snapshot empty() {
    return of(List.of(), List.of(), null);
  }

  /** Builds a snapshot whose version is the hash of its content. */
  public static Snapshot of(
      List<VirtualHost> virtualHosts, List<Cluster> clusters, String defaultCluster) {
    Snapshot unversioned = new Snapshot("", virtualHosts, clusters, defaultCluster);
    return new Snapshot(
        SnapshotCodec.contentHash(unversioned), virtualHosts, clusters, defaultCluster);
  }

  public Map<String, Cluster> clustersByName() {
    return clusters.stream().collect(Collectors.toMap(Cluster::name, Function.identity()));
  }

  public Map<String, VirtualHost> virtualHostsByHost() {
    return virtualHosts.stream().collect(Collectors.toMap(VirtualHost::host, Function.identity()));
  }

  /** Number of routes over all virtual hosts. */
  public int routeCount() {
    return virtualHosts.stream().mapToInt(v -> v.routes().size()).sum();
  }

  // Make-before-break at the contract level: a snapshot that routes to a cluster it does not carry
  // cannot be built, so a dataplane can never point a route at a cluster it does not have.
  private static void requireClustersExist(
      List<VirtualHost> virtualHosts, List<Cluster> clusters, String defaultCluster) {
    Set<String> names = new HashSet<>();
    clusters.forEach(c -> names.add(c.name()));
    if (defaultCluster != null && !names.contains(defaultCluster)) {
      throw new IllegalArgumentException("default cluster " + defaultCluster + " is not defined");
    }
    for (VirtualHost vhost : virtualHosts) {
      for (Route route : vhost.routes()) {
        for (String cluster : route.action().clusterNames()) {
          if (!names.contains(cluster)) {
            throw new IllegalArgumentException(
                "route " + route.name() + " forwards to undefined cluster " + cluster);
          }
        }
      }
    }
  }

  private static void requireUniqueRouteNames(List<VirtualHost> virtualHosts) {
    Set<String> seen = new HashSet<>();
    for (VirtualHost vhost : virtualHosts) {
      for (Route route : vhost.routes()) {
        if (!seen.add(route.name())) {
          throw new IllegalArgumentException("duplicate route name " + route.name());
        }
      }
    }
  }
}
