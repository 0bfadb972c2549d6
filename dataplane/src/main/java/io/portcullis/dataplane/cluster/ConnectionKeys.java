package io.portcullis.dataplane.cluster;

import io.portcullis.dataplane.upstream.UpstreamKey;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.Snapshot;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The upstream connection keys the clusters of the applied config use (endpoint, protocol, TLS
 * settings: what a pooled connection is filed under), counted over the clusters, so that a delta
 * tells which keys no cluster uses any more by looking only at the clusters it names. An endpoint
 * that leaves one cluster but stays in another keeps its connections; one that leaves its last
 * cluster, or whose cluster now reaches it with other TLS settings, loses them.
 *
 * <p>Follows applied configs in order ({@link #follow}); a config that does not lead on from the
 * last one followed (the first, or after a gap) is counted whole. Not thread-safe: the config's
 * apply listeners call it one at a time.
 */
public final class ConnectionKeys {
  /** What pooled connections to close after a config was applied. */
  public sealed interface Retired {}

  /**
   * Close the connections of every key not in {@code live}: the config was counted whole.
   *
   * @param live every key the config's clusters use; unmodifiable
   */
  public record KeepOnly(Set<UpstreamKey> live) implements Retired {
    public KeepOnly {
      live = Set.copyOf(live);
    }
  }

  /**
   * Close the connections of exactly these keys: the clusters a delta named no longer use them
   * and no other cluster does.
   */
  public record Drop(Set<UpstreamKey> gone) implements Retired {
    public Drop {
      gone = Set.copyOf(gone);
    }
  }

  private final Map<String, Set<UpstreamKey>> byCluster = new HashMap<>();
  /** How many clusters use each key. */
  private final Map<UpstreamKey, Integer> users = new HashMap<>();
  /** The version of the snapshot last followed; null before the first. */
  private String version;

  /**
   * Takes in the config of {@code snapshot}, applied after the one last followed.
   *
   * @param change the delta from the snapshot last followed to {@code snapshot}, or null when not
   *     known; only its clusters are looked at when it leads on from the last one
   */
  public Retired follow(Snapshot snapshot, Delta change) {
    boolean leadsOn = change != null && version != null
        && version.equals(change.baseVersion()) && snapshot.version().equals(change.version());
    version = snapshot.version();
    if (!leadsOn) {
      byCluster.clear();
      users.clear();
      snapshot.clusters().forEach(this::add);
      return new KeepOnly(users.keySet());
    }
    Set<UpstreamKey> dropped = new HashSet<>();
    for (String name : change.removeClusters()) {
      remove(name, dropped);
    }
    for (Cluster cluster : change.upsertClusters()) {
      remove(cluster.name(), dropped);
      add(cluster);
    }
    // A key the delta took from one cluster and gave to another (or back) stays.
    dropped.removeIf(users::containsKey);
    return new Drop(dropped);
  }

  /** How many keys the followed clusters use (tests, admin). */
  public int size() {
    return users.size();
  }

  private void add(Cluster cluster) {
    Set<UpstreamKey> keys = keysOf(cluster);
    byCluster.put(cluster.name(), keys);
    keys.forEach(k -> users.merge(k, 1, Integer::sum));
  }

  private void remove(String cluster, Set<UpstreamKey> dropped) {
    Set<UpstreamKey> keys = byCluster.remove(cluster);
    if (keys == null) {
      return;
    }
    for (UpstreamKey key : keys) {
      if (users.merge(key, -1, Integer::sum) == 0) {
        users.remove(key);
        dropped.add(key);
      }
    }
  }

  /** The keys the proxy files connections to {@code cluster}'s endpoints under. */
  private static Set<UpstreamKey> keysOf(Cluster cluster) {
    ClusterPolicy policy = cluster.policyOrDefault();
    Set<UpstreamKey> keys = new HashSet<>(cluster.endpoints().size() * 2);
    for (Endpoint e : cluster.endpoints()) {
      // As ClusterRuntime tracks endpoints: without the terminating flag.
      Endpoint endpoint = e.terminating() ? new Endpoint(e.address(), e.port()) : e;
      keys.add(UpstreamKey.of(endpoint, cluster.name(), policy));
    }
    return keys;
  }
}
