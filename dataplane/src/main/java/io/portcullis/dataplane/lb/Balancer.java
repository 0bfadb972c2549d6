package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.ClusterPolicy;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

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
   *     set (a hash table); {@code candidates} is a subset of it, and the very same list instance
   *     when every endpoint is a candidate
   */
  UpstreamEndpoint pick(List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context);

  /**
   * Called when the cluster's endpoint set changed, before the new set is used; never on a
   * request's path, so expensive preparation (a hash table) belongs here.
   */
  default void endpointsChanged(List<UpstreamEndpoint> all) {}

  /**
   * The {@code Set-Cookie} value the response to this request must carry, or null. Only cookie
   * affinity issues one, when the request did not name {@code picked} in a valid cookie.
   */
  default String affinityCookie(UpstreamEndpoint picked, PickContext context) {
    return null;
  }

  /** The policy's name as the snapshot spells it (admin output, metrics labels). */
  ClusterPolicy.Policy policy();

  /** The balancer for {@code policy}, on the system clock and thread-local randomness. */
  static Balancer of(ClusterPolicy.LoadBalancer policy) {
    return of(policy, System::nanoTime, ThreadLocalRandom::current);
  }

  /**
   * The balancer for {@code policy}.
   *
   * @param nanoClock {@link System#nanoTime()} or a test clock (slow start reads it)
   * @param random randomness for the calling thread; tests pass a seeded generator
   */
  static Balancer of(
      ClusterPolicy.LoadBalancer policy, LongSupplier nanoClock, Supplier<RandomGenerator> random) {
    return switch (policy.policy()) {
      case ROUND_ROBIN -> new RoundRobinBalancer(nanoClock);
      case LEAST_REQUEST -> new LeastRequestBalancer(nanoClock, random);
      case RANDOM -> new RandomBalancer(random);
      case MAGLEV -> new MaglevBalancer(policy.hashOn(), policy.hashKey(), random);
      case COOKIE_AFFINITY ->
          new CookieAffinityBalancer(policy.affinityCookie(), new RoundRobinBalancer(nanoClock));
    };
  }
}
