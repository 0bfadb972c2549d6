package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.ClusterPolicy;
import java.util.List;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Least request by the power of two choices: two distinct random candidates, the one with fewer
 * active requests per unit of weight wins. Constant cost whatever the number of endpoints, and
 * unlike a global minimum it does not herd every event loop onto the same idle endpoint.
 */
final class LeastRequestBalancer implements Balancer {
  private final LongSupplier nanoClock;
  private final Supplier<RandomGenerator> random;

  LeastRequestBalancer(LongSupplier nanoClock, Supplier<RandomGenerator> random) {
    this.nanoClock = nanoClock;
    this.random = random;
  }

  @Override
  public ClusterPolicy.Policy policy() {
    return ClusterPolicy.Policy.LEAST_REQUEST;
  }

  @Override
  public UpstreamEndpoint pick(
      List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context) {
    int n = candidates.size();
    if (n == 1) {
      return candidates.get(0);
    }
    RandomGenerator rnd = random.get();
    int i = rnd.nextInt(n);
    int j = rnd.nextInt(n - 1);
    if (j >= i) {
      j++;
    }
    UpstreamEndpoint a = candidates.get(i);
    UpstreamEndpoint b = candidates.get(j);
    long now = nanoClock.getAsLong();
    // (active + 1) / weight, compared without division; the +1 lets weight decide between idle
    // endpoints, so a ramping endpoint is not flooded while it is idle.
    long costA = (a.activeRequests() + 1L) * b.weight(now);
    long costB = (b.activeRequests() + 1L) * a.weight(now);
    return costB < costA ? b : a;
  }
}
