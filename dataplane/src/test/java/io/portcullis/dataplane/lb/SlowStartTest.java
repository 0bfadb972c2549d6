package io.portcullis.dataplane.lb;

import static io.portcullis.dataplane.lb.BalancingFixture.count;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.Endpoint;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class SlowStartTest {
  private static final long RAMP_MILLIS = 10_000;
  private final BalancingFixture fx = new BalancingFixture();

  private static ClusterPolicy slowStart(Policy p) {
    return new ClusterPolicy(null, null, ClusterPolicy.LoadBalancer.of(p), RAMP_MILLIS, null, null, null, 0, null);
  }

  /** A cluster of two, then a third endpoint joins at the current clock. */
  private ClusterRuntime clusterWithNewcomer(Policy p) {
    ClusterRuntime cluster = fx.cluster(slowStart(p), BalancingFixture.endpoints(2));
    cluster.updateEndpoints(
        new Cluster(cluster.name(), BalancingFixture.endpoints(3), cluster.policy()));
    return cluster;
  }

  private static UpstreamEndpoint newcomer(ClusterRuntime cluster) {
    Endpoint third = BalancingFixture.endpoint(2);
    return cluster.endpoints().stream().filter(e -> e.endpoint().equals(third)).findFirst().orElseThrow();
  }

  private void advanceMillis(long ms) {
    fx.clock.addAndGet(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  @Test
  void theFirstEndpointsOfANewClusterTakeFullWeightAtOnce() {
    ClusterRuntime cluster = fx.cluster(slowStart(Policy.ROUND_ROBIN), 3);
    for (UpstreamEndpoint e : cluster.endpoints()) {
      assertEquals(UpstreamEndpoint.FULL_WEIGHT, cluster.weightNow(e));
    }
    Map<UpstreamEndpoint, Integer> counts = count(cluster, 300, PickContext.NONE);
    counts.values().forEach(n -> assertEquals(100, n));
  }

  @Test
  void anAddedEndpointRampsLinearlyFromATenthToFullWeight() {
    ClusterRuntime cluster = clusterWithNewcomer(Policy.ROUND_ROBIN);
    UpstreamEndpoint fresh = newcomer(cluster);
    assertEquals(10, cluster.weightNow(fresh));
    advanceMillis(RAMP_MILLIS / 2);
    assertEquals(55, cluster.weightNow(fresh));
    advanceMillis(RAMP_MILLIS / 2 - 1);
    assertEquals(99, cluster.weightNow(fresh));
    advanceMillis(1);
    assertEquals(100, cluster.weightNow(fresh));
    advanceMillis(RAMP_MILLIS);
    assertEquals(100, cluster.weightNow(fresh));
  }

  @Test
  void roundRobinGivesARampingEndpointExactlyItsWeightedShare() {
    ClusterRuntime cluster = clusterWithNewcomer(Policy.ROUND_ROBIN);
    UpstreamEndpoint fresh = newcomer(cluster);
    // At the start: weights 100, 100, 10; over one window of 210 picks exactly those counts.
    Map<UpstreamEndpoint, Integer> start = count(cluster, 210, PickContext.NONE);
    assertEquals(10, start.get(fresh));
    assertEquals(List.of(100, 100), others(start, fresh));
    advanceMillis(RAMP_MILLIS / 2);
    Map<UpstreamEndpoint, Integer> half = count(cluster, 255, PickContext.NONE);
    assertEquals(55, half.get(fresh));
    advanceMillis(RAMP_MILLIS);
    Map<UpstreamEndpoint, Integer> done = count(cluster, 300, PickContext.NONE);
    assertEquals(100, done.get(fresh));
  }

  @Test
  void leastRequestSparesARampingEndpointUntilTheOthersAreBusier() {
    ClusterRuntime cluster = clusterWithNewcomer(Policy.LEAST_REQUEST);
    UpstreamEndpoint fresh = newcomer(cluster);
    // All idle: cost (0+1)/10 for the newcomer against (0+1)/100 for the others.
    Map<UpstreamEndpoint, Integer> idle = count(cluster, 300, PickContext.NONE);
    assertEquals(null, idle.get(fresh));
    // The others carry 10 requests each: (10+1)/100 = 0.11 against (0+1)/10 = 0.1 for the newcomer.
    for (UpstreamEndpoint e : cluster.endpoints()) {
      if (e != fresh) {
        for (int i = 0; i < 10; i++) {
          e.requestStarted();
        }
      }
    }
    Map<UpstreamEndpoint, Integer> busy = count(cluster, 300, PickContext.NONE);
    assertEquals(busy.get(fresh), busy.values().stream().mapToInt(Integer::intValue).max().orElseThrow());
  }

  @Test
  void withoutSlowStartAnAddedEndpointTakesItsFullShareAtOnce() {
    ClusterRuntime cluster = fx.cluster(BalancingFixture.policy(Policy.ROUND_ROBIN), 2);
    cluster.updateEndpoints(new Cluster(cluster.name(), BalancingFixture.endpoints(3), cluster.policy()));
    UpstreamEndpoint fresh = newcomer(cluster);
    assertEquals(100, cluster.weightNow(fresh));
    assertEquals(100, count(cluster, 300, PickContext.NONE).get(fresh));
  }

  @Test
  void survivingEndpointsKeepTheirStateAndAreNotRampedAgain() {
    ClusterRuntime cluster = fx.cluster(slowStart(Policy.ROUND_ROBIN), 2);
    UpstreamEndpoint first = cluster.endpoints().get(0);
    first.requestStarted();
    cluster.updateEndpoints(new Cluster(cluster.name(), BalancingFixture.endpoints(3), cluster.policy()));
    assertEquals(first, cluster.endpoints().get(0));
    assertEquals(1, first.activeRequests());
    assertEquals(100, cluster.weightNow(first));
  }

  private static List<Integer> others(Map<UpstreamEndpoint, Integer> counts, UpstreamEndpoint fresh) {
    return counts.entrySet().stream().filter(e -> e.getKey() != fresh).map(Map.Entry::getValue).toList();
  }
}
