package io.portcullis.snapshot;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the virtual hosts of one valid snapshot name, counted: which host each route name belongs
 * to, and for every cluster, certificate and blob how many hosts use it. With it a snapshot made
 * from a valid one by a few changed hosts ({@link Snapshot#patch}) is checked by looking at those
 * hosts only: a new route name must be free, a dropped cluster must be used by nobody.
 *
 * <p>Mutable, with one owner at a time: a patch takes its base's index (see
 * {@link HostList#takeIndex}) and hands it, updated, to the result. Building one from scratch
 * walks every route, as a full validation does.
 */
final class HostReferences {
  private final Map<String, String> hostOfRoute;
  private final Map<String, Integer> clusterUsers;
  private final Map<String, Integer> certificateUsers;
  private final Map<String, Integer> blobUsers;

  private HostReferences(int routes, int hosts) {
    hostOfRoute = new HashMap<>(Math.max(16, routes * 4 / 3 + 1));
    clusterUsers = new HashMap<>(Math.max(16, hosts * 4 / 3 + 1));
    certificateUsers = new HashMap<>();
    blobUsers = new HashMap<>();
  }

  /** The index of hosts that form a valid snapshot (no route name twice). */
  static HostReferences of(Iterable<VirtualHost> hosts, int size) {
    HostReferences index = new HostReferences(size * 2, size);
    for (VirtualHost host : hosts) {
      if (!index.add(host)) {
        throw new IllegalStateException("duplicate route name in a validated snapshot");
      }
    }
    return index;
  }

  /**
   * The uses of hosts that may not form a valid snapshot (a route name twice): for deciding what
   * is unused when a patch turned out invalid and goes to the full validation.
   */
  static HostReferences counting(List<VirtualHost> hosts) {
    HostReferences index = new HostReferences(hosts.size() * 2, hosts.size());
    hosts.forEach(h -> index.count(h, 1));
    return index;
  }

  /** Counts {@code host} in; false (and a spoiled index) when one of its route names is taken. */
  boolean add(VirtualHost host) {
    for (Route route : host.routes()) {
      if (hostOfRoute.putIfAbsent(route.name(), host.host()) != null) {
        return false;
      }
    }
    count(host, 1);
    return true;
  }

  private void count(VirtualHost host, int sign) {
    Uses uses = Uses.of(host);
    if (sign > 0) {
      uses.clusters.forEach(c -> clusterUsers.merge(c, 1, Integer::sum));
      uses.blobs.forEach(b -> blobUsers.merge(b, 1, Integer::sum));
      if (uses.certificate != null) {
        certificateUsers.merge(uses.certificate, 1, Integer::sum);
      }
    } else {
      uses.clusters.forEach(c -> release(clusterUsers, c));
      uses.blobs.forEach(b -> release(blobUsers, b));
      if (uses.certificate != null) {
        release(certificateUsers, uses.certificate);
      }
    }
  }


  /** Counts {@code host}, which {@link #add} counted in before, out again. */
  void remove(VirtualHost host) {
    for (Route route : host.routes()) {
      hostOfRoute.remove(route.name());
    }
    count(host, -1);
  }

  boolean usesCluster(String name) {
    return clusterUsers.containsKey(name);
  }

  boolean usesCertificate(String name) {
    return certificateUsers.containsKey(name);
  }

  boolean usesBlob(String digest) {
    return blobUsers.containsKey(digest);
  }

  private static void release(Map<String, Integer> users, String name) {
    users.computeIfPresent(name, (k, n) -> n == 1 ? null : n - 1);
  }

  /** The clusters (error pages included), certificate and blobs one virtual host names. */
  record Uses(Set<String> clusters, String certificate, Set<String> blobs) {
    static Uses of(VirtualHost host) {
      Set<String> clusters = new LinkedHashSet<>();
      Set<String> blobs = new LinkedHashSet<>();
      errorPages(host.filters(), clusters);
      for (Route route : host.routes()) {
        clusters.addAll(route.action().clusterNames());
        errorPages(route.filters(), clusters);
        if (route.action() instanceof RouteAction.Static s
            && s.source() instanceof StaticSource.Files files) {
          files.files().forEach(f -> blobs.add(f.digest()));
        }
      }
      return new Uses(clusters, host.tls() == null ? null : host.tls().certificate(), blobs);
    }

    private static void errorPages(
        List<io.portcullis.snapshot.filter.FilterConfig> filters, Set<String> out) {
      for (var filter : filters) {
        if (filter instanceof io.portcullis.snapshot.filter.ErrorPages pages) {
          out.add(pages.cluster());
        }
      }
    }
  }
}
