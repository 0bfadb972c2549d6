package io.portcullis.dataplane.lb;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/** Plain round robin over the candidates. */
final class RoundRobinBalancer implements Balancer {
  private final AtomicLong next = new AtomicLong();

  @Override
  public UpstreamEndpoint pick(
      List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context) {
    return candidates.get((int) Math.floorMod(next.getAndIncrement(), (long) candidates.size()));
  }
}
