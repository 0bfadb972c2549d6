package io.portcullis.dataplane.config;

import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.VirtualHost;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Which virtual hosts route to each cluster (by name), so that a cluster replaced by a delta (its
 * policy changed: a new instance) re-indexes the hosts that resolved the old instance, not every
 * host. Immutable; a delta's copy costs the hosts it names and the users of their clusters.
 */
final class ClusterUsers {
  static final ClusterUsers NONE = new ClusterUsers(LayeredMap.empty());

  /** Host patterns (as in the snapshot) by the name of a cluster their routes name. */
  private final LayeredMap<String, Set<String>> users;

  private ClusterUsers(LayeredMap<String, Set<String>> users) {
    this.users = users;
  }

  /** The users in {@code hosts}, every host looked at. */
  static ClusterUsers of(List<VirtualHost> hosts) {
    Map<String, Set<String>> users = new HashMap<>();
    for (VirtualHost vhost : hosts) {
      for (String cluster : clustersOf(vhost)) {
        users.computeIfAbsent(cluster, c -> new HashSet<>()).add(vhost.host());
      }
    }
    Map<String, Set<String>> frozen = new HashMap<>();
    users.forEach((cluster, names) -> frozen.put(cluster, Set.copyOf(names)));
    return new ClusterUsers(LayeredMap.copyOf(frozen));
  }

  /**
   * These users after {@code change}'s hosts.
   *
   * @param before the host the config before the change served under a pattern, or null
   */
  ClusterUsers after(Delta change, Function<String, VirtualHost> before) {
    if (change.upsertVirtualHosts().isEmpty() && change.removeVirtualHosts().isEmpty()) {
      return this;
    }
    Editor edit = new Editor(users.edit());
    for (String host : change.removeVirtualHosts()) {
      edit.drop(before.apply(host));
    }
    for (VirtualHost vhost : change.upsertVirtualHosts()) {
      edit.drop(before.apply(vhost.host()));
      for (String cluster : clustersOf(vhost)) {
        edit.add(cluster, vhost.host());
      }
    }
    return new ClusterUsers(edit.users.build());
  }

  /** The host patterns whose routes name {@code cluster}. */
  Set<String> of(String cluster) {
    Set<String> hosts = users.get(cluster);
    return hosts == null ? Set.of() : hosts;
  }

  /** The clusters {@code vhost}'s routes name, as its routing index resolves them. */
  private static Set<String> clustersOf(VirtualHost vhost) {
    Set<String> clusters = new HashSet<>();
    for (Route route : vhost.routes()) {
      clusters.addAll(route.action().clusterNames());
    }
    return clusters;
  }

  private static final class Editor {
    final LayeredMap.Editor<String, Set<String>> users;

    Editor(LayeredMap.Editor<String, Set<String>> users) {
      this.users = users;
    }

    void drop(VirtualHost vhost) {
      if (vhost == null) {
        return;
      }
      for (String cluster : clustersOf(vhost)) {
        Set<String> hosts = users.get(cluster);
        if (hosts != null && hosts.contains(vhost.host())) {
          Set<String> rest = new HashSet<>(hosts);
          rest.remove(vhost.host());
          if (rest.isEmpty()) {
            users.remove(cluster);
          } else {
            users.put(cluster, Set.copyOf(rest));
          }
        }
      }
    }

    void add(String cluster, String host) {
      Set<String> hosts = users.get(cluster);
      if (hosts == null) {
        users.put(cluster, Set.of(host));
      } else if (!hosts.contains(host)) {
        Set<String> more = new HashSet<>(hosts);
        more.add(host);
        users.put(cluster, Set.copyOf(more));
      }
    }
  }
}
