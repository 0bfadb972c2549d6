package io.portcullis.dataplane.lb;

import static io.portcullis.dataplane.lb.BalancingFixture.count;
import static io.portcullis.dataplane.lb.BalancingFixture.policy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BalancerPoliciesTest {
  private final BalancingFixture fx = new BalancingFixture();

  // ------------------------------------------------------------------ round robin

  @Test
  void roundRobinGivesEveryEndpointExactlyItsTurnInOrder() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.ROUND_ROBIN), 3);
    List<UpstreamEndpoint> eps = cluster.endpoints();
    List<UpstreamEndpoint> firstSix = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      firstSix.add(cluster.pick());
    }
    UpstreamEndpoint a = firstSix.get(0);
    int start = eps.indexOf(a);
    for (int i = 0; i < 6; i++) {
      assertEquals(eps.get((start + i) % 3), firstSix.get(i));
    }
    Map<UpstreamEndpoint, Integer> counts = count(cluster, 300, PickContext.NONE);
    for (UpstreamEndpoint e : eps) {
      assertEquals(100, counts.get(e));
    }
  }

  @Test
  void theDefaultPolicyIsRoundRobin() {
    ClusterRuntime cluster = fx.cluster(null, 2);
    assertEquals(Policy.ROUND_ROBIN, cluster.balancingPolicy());
  }

  // ------------------------------------------------------------------ least request

  @Test
  void leastRequestAlwaysPrefersTheIdleOfTwoEndpoints() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.LEAST_REQUEST), 2);
    UpstreamEndpoint busy = cluster.endpoints().get(0);
    UpstreamEndpoint idle = cluster.endpoints().get(1);
    busy.requestStarted();
    Map<UpstreamEndpoint, Integer> counts = count(cluster, 200, PickContext.NONE);
    assertEquals(Map.of(idle, 200), counts);
  }

  @Test
  void leastRequestSendsTheBusiestEndpointNothingAndTheIdlestTheMost() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.LEAST_REQUEST), 3);
    List<UpstreamEndpoint> eps = cluster.endpoints();
    eps.get(1).requestStarted();
    eps.get(2).requestStarted();
    eps.get(2).requestStarted();
    Map<UpstreamEndpoint, Integer> counts = count(cluster, 3000, PickContext.NONE);
    // Two choices out of three: the idle one wins 2 pairs of 3, the middle one 1, the busiest none.
    assertEquals(null, counts.get(eps.get(2)));
    assertWithin(2000, 150, counts.get(eps.get(0)));
    assertWithin(1000, 150, counts.get(eps.get(1)));
  }

  // ------------------------------------------------------------------ random

  @Test
  void randomSpreadsWithinChiSquareBounds() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.RANDOM), 10);
    int picks = 20_000;
    Map<UpstreamEndpoint, Integer> counts = count(cluster, picks, PickContext.NONE);
    double expected = picks / 10.0;
    double chi2 = 0;
    for (UpstreamEndpoint e : cluster.endpoints()) {
      double d = counts.getOrDefault(e, 0) - expected;
      chi2 += d * d / expected;
    }
    // 9 degrees of freedom: 27.88 is the 99.9th percentile.
    assertTrue(chi2 < 27.88, "chi-square " + chi2);
  }

  // ------------------------------------------------------------------ cluster filters

  @Test
  void terminatingEndpointsGetNoPicksWhileOthersExist() {
    var list = new ArrayList<>(BalancingFixture.endpoints(3));
    var last = list.remove(2);
    list.add(new io.portcullis.snapshot.Endpoint(last.address(), last.port(), true));
    for (Policy p : List.of(Policy.ROUND_ROBIN, Policy.LEAST_REQUEST, Policy.RANDOM)) {
      ClusterRuntime cluster = fx.cluster(policy(p), list);
      UpstreamEndpoint terminating =
          cluster.endpoints().stream().filter(UpstreamEndpoint::terminating).findFirst().orElseThrow();
      assertFalse(count(cluster, 300, PickContext.NONE).containsKey(terminating), p.name());
    }
  }

  @Test
  void aClusterOfOnlyTerminatingEndpointsStillServesFromThem() {
    var list = BalancingFixture.endpoints(2).stream()
        .map(e -> new io.portcullis.snapshot.Endpoint(e.address(), e.port(), true))
        .toList();
    ClusterRuntime cluster = fx.cluster(policy(Policy.ROUND_ROBIN), list);
    assertEquals(2, count(cluster, 10, PickContext.NONE).size());
  }

  @Test
  void unhealthyEndpointsGetNoPicksAboveThePanicThreshold() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.ROUND_ROBIN), 4);
    cluster.endpoints().get(0).activeHealthy(false);
    cluster.endpoints().get(1).activeHealthy(false);
    // 2 of 4 healthy = 50%: not below the default threshold of 50%.
    Map<UpstreamEndpoint, Integer> counts = count(cluster, 100, PickContext.NONE);
    assertEquals(Set.of(cluster.endpoints().get(2), cluster.endpoints().get(3)), counts.keySet());
  }

  @Test
  void belowThePanicThresholdEveryEndpointTakesTraffic() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.ROUND_ROBIN), 4);
    for (int i = 0; i < 3; i++) {
      cluster.endpoints().get(i).activeHealthy(false);
    }
    Map<UpstreamEndpoint, Integer> counts = count(cluster, 100, PickContext.NONE);
    assertEquals(4, counts.size());
    assertEquals(25, counts.get(cluster.endpoints().get(0)));
  }

  @Test
  void panicModeOffMeansOnlyTheHealthyEndpointTakesTraffic() {
    ClusterPolicy noPanic =
        new ClusterPolicy(null, null, null, 0, null, null, null, 0, 0);
    ClusterRuntime cluster = fx.cluster(noPanic, 4);
    for (int i = 0; i < 3; i++) {
      cluster.endpoints().get(i).activeHealthy(false);
    }
    assertEquals(Set.of(cluster.endpoints().get(3)), count(cluster, 20, PickContext.NONE).keySet());
  }

  @Test
  void aRetryAvoidsTheEndpointsItAlreadyTriedUnderEveryPolicy() {
    for (ClusterPolicy.LoadBalancer lb :
        List.of(
            ClusterPolicy.LoadBalancer.of(Policy.ROUND_ROBIN),
            ClusterPolicy.LoadBalancer.of(Policy.LEAST_REQUEST),
            ClusterPolicy.LoadBalancer.of(Policy.RANDOM),
            new ClusterPolicy.LoadBalancer(Policy.MAGLEV, ClusterPolicy.HashOn.HEADER, "x-user", null),
            new ClusterPolicy.LoadBalancer(
                Policy.COOKIE_AFFINITY, null, null, new ClusterPolicy.AffinityCookie("s", 0, null)))) {
      ClusterRuntime cluster = fx.cluster(policy(lb), 3);
      List<UpstreamEndpoint> eps = cluster.endpoints();
      PickContext first = BalancingFixture.request(Map.of("x-user", "alice"), null, "192.0.2.1");
      UpstreamEndpoint firstPick = cluster.pick(first);
      PickContext retry =
          new PickContext(first.request(), first.clientAddress(), Set.of(firstPick));
      for (int i = 0; i < 50; i++) {
        UpstreamEndpoint again = cluster.pick(retry);
        assertTrue(again != firstPick, lb.policy().name());
      }
      PickContext allTried = new PickContext(null, null, Set.copyOf(eps));
      assertTrue(eps.contains(cluster.pick(allTried)), "a request that tried them all still gets one");
    }
  }

  @Test
  void aHealthChangeTakesEffectOnTheVeryNextPick() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.ROUND_ROBIN), 3);
    UpstreamEndpoint sick = cluster.endpoints().get(1);
    assertEquals(10, count(cluster, 30, PickContext.NONE).get(sick));
    sick.activeHealthy(false);
    assertFalse(count(cluster, 30, PickContext.NONE).containsKey(sick));
    sick.activeHealthy(true);
    assertEquals(10, count(cluster, 30, PickContext.NONE).get(sick));
  }

  @Test
  void anEjectedEndpointTakesTrafficAgainWhenItsEjectionRunsOut() {
    ClusterRuntime cluster = fx.cluster(policy(Policy.ROUND_ROBIN), 3);
    UpstreamEndpoint ejected = cluster.endpoints().get(0);
    count(cluster, 30, PickContext.NONE);
    ejected.eject(fx.clock.get() + 1_000_000_000L);
    assertFalse(count(cluster, 30, PickContext.NONE).containsKey(ejected));
    fx.clock.addAndGet(999_999_999L);
    assertFalse(count(cluster, 30, PickContext.NONE).containsKey(ejected));
    // Nobody calls uneject: the clock alone ends it.
    fx.clock.addAndGet(1);
    assertEquals(10, count(cluster, 30, PickContext.NONE).get(ejected));
  }

  @Test
  void anEmptyClusterPicksNothing() {
    assertEquals(null, fx.cluster(policy(Policy.LEAST_REQUEST), 0).pick());
  }

  static void assertWithin(int expected, int tolerance, Integer actual) {
    assertTrue(
        actual != null && Math.abs(actual - expected) <= tolerance,
        "expected " + expected + " ± " + tolerance + ", got " + actual);
  }
}
