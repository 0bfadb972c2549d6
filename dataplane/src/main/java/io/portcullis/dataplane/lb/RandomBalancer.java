package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.ClusterPolicy;
import java.util.List;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/** A uniformly random candidate: no shared state at all. */
final class RandomBalancer implements Balancer {
  private final Supplier<RandomGenerator> random;

  RandomBalancer(Supplier<RandomGenerator> random) {
    this.random = random;
  }

  @Override
  public ClusterPolicy.Policy policy() {
    return ClusterPolicy.Policy.RANDOM;
  }

  @Override
  public UpstreamEndpoint pick(
      List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context) {
    int n = candidates.size();
    return n == 1 ? candidates.get(0) : candidates.get(random.get().nextInt(n));
  }
}
