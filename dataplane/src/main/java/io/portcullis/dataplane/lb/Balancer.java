package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.ClusterPolicy;
import java.util.List;

/**
 * A balancing policy over one cluster's candidate endpoints. The cluster filters candidates
 * (health, ejection, terminating, panic mode, already tried) before asking; a balancer only
 * chooses. One instance per cluster, called from every event loop at once.
 */
public interface Balancer {

  /**
   * Picks one of {@code candidates} (never empty).
   *
   * @param all the cluster's current endpoints, for policies whose state is built over the whole
   *     set (a hash table); {@code candidates} is a subset of it
   */
  UpstreamEndpoint pick(List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context);

  /** Called when the cluster's endpoint set changed, before the new set is used. */
  default void endpointsChanged(List<UpstreamEndpoint> all) {}

  static Balancer of(ClusterPolicy.LoadBalancer policy) {
    return switch (policy.policy()) {
      // The other policies arrive with the balancing work; until then they round-robin.
      default -> new RoundRobinBalancer();
    };
  }
}
