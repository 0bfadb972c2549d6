package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.ClusterPolicy;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Smooth weighted round robin (nginx's algorithm) over the candidates, with weights from slow
 * start. While no endpoint is ramping up every weight is equal, and a lock-free counter gives the
 * same sequence at a fraction of the cost: that is the steady state.
 */
final class RoundRobinBalancer implements Balancer {
  private final LongSupplier nanoClock;
  private final AtomicLong next = new AtomicLong();
  private volatile Weighted weighted = new Weighted(List.of());

  RoundRobinBalancer(LongSupplier nanoClock) {
    this.nanoClock = nanoClock;
  }

  @Override
  public ClusterPolicy.Policy policy() {
    return ClusterPolicy.Policy.ROUND_ROBIN;
  }

  @Override
  public void endpointsChanged(List<UpstreamEndpoint> all) {
    weighted = new Weighted(all);
  }

  @Override
  public UpstreamEndpoint pick(
      List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context) {
    int n = candidates.size();
    if (n == 1) {
      return candidates.get(0);
    }
    Weighted w = weighted;
    if (w.all == all) {
      long now = nanoClock.getAsLong();
      if (w.ramps && now - w.rampEndsNanos < 0) {
        return w.pick(candidates, now);
      }
    }
    return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) n));
  }

  /** The smooth weighted state over one endpoint set; used only while some endpoint ramps up. */
  private static final class Weighted {
    final List<UpstreamEndpoint> all;
    /** Whether any endpoint has a slow-start ramp, and when the last one ends. */
    final boolean ramps;
    final long rampEndsNanos;
    private final Map<UpstreamEndpoint, Integer> slot = new IdentityHashMap<>();
    private final long[] current;

    Weighted(List<UpstreamEndpoint> all) {
      this.all = all;
      this.current = new long[all.size()];
      long ends = 0;
      boolean any = false;
      for (int i = 0; i < all.size(); i++) {
        UpstreamEndpoint e = all.get(i);
        slot.put(e, i);
        if (e.slowStartEndsNanos() != e.addedAtNanos()
            && (!any || e.slowStartEndsNanos() - ends > 0)) {
          ends = e.slowStartEndsNanos();
          any = true;
        }
      }
      this.ramps = any;
      this.rampEndsNanos = ends;
    }

    synchronized UpstreamEndpoint pick(List<UpstreamEndpoint> candidates, long now) {
      long total = 0;
      int best = -1;
      UpstreamEndpoint chosen = null;
      boolean everyEndpoint = candidates == all;
      for (int k = 0; k < candidates.size(); k++) {
        UpstreamEndpoint e = candidates.get(k);
        // A subset (some endpoint unavailable or tried) needs the slot lookup; the usual case not.
        int i = everyEndpoint ? k : slot.get(e);
        int weight = e.weight(now);
        current[i] += weight;
        total += weight;
        if (best < 0 || current[i] > current[best]) {
          best = i;
          chosen = e;
        }
      }
      current[best] -= total;
      return chosen;
    }
  }
}
