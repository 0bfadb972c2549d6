package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.ClusterPolicy;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * Consistent hashing with a Maglev table. The key comes from a header, a cookie, a query
 * parameter or the client address; a request without one goes to a random candidate. When the
 * key's endpoint is not a candidate (unhealthy, terminating, already tried) the walk goes on to
 * the next slot, so keys of healthy endpoints never move.
 */
final class MaglevBalancer implements Balancer {
  private final ClusterPolicy.HashOn hashOn;
  private final String hashKey;
  private final Supplier<RandomGenerator> random;
  private volatile MaglevTable table = MaglevTable.build(List.of());

  MaglevBalancer(ClusterPolicy.HashOn hashOn, String hashKey, Supplier<RandomGenerator> random) {
    this.hashOn = hashOn;
    this.hashKey = hashKey;
    this.random = random;
  }

  @Override
  public ClusterPolicy.Policy policy() {
    return ClusterPolicy.Policy.MAGLEV;
  }

  @Override
  public void endpointsChanged(List<UpstreamEndpoint> all) {
    table = MaglevTable.build(all);
  }

  @Override
  public UpstreamEndpoint pick(
      List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context) {
    String key = HashKeys.extract(hashOn, hashKey, context);
    MaglevTable t = table;
    if (key == null || t.endpoints() != all) {
      // No key, or a pick racing a table rebuild: any candidate will do.
      return candidates.get(random.get().nextInt(candidates.size()));
    }
    long hash = Hashing.hash64(key);
    if (candidates == all) {
      return t.lookup(hash, e -> true);
    }
    Set<UpstreamEndpoint> usable = Collections.newSetFromMap(new IdentityHashMap<>());
    usable.addAll(candidates);
    return t.lookup(hash, usable::contains);
  }
}
