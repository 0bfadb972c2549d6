package io.portcullis.dataplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** How health and ejection state meet picking: new endpoints, panic mode, updates in place. */
class ClusterRuntimeHealthTest {
  private static final ClusterPolicy CHECKED =
      new ClusterPolicy(
          null, null, null, 0,
          new ClusterPolicy.HealthCheck("/healthz", null, 60_000, 1_000, 2, 2, List.of()),
          null, null, 0, null);

  private static Cluster cluster(ClusterPolicy policy, int... ports) {
    return new Cluster(
        "default/app:80",
        java.util.Arrays.stream(ports).mapToObj(p -> new Endpoint("10.0.0.1", p)).toList(),
        policy);
  }

  @Test
  void withHealthChecksNewEndpointsStartUnhealthyButAnAllNewClusterStillServes() {
    ClusterRuntime runtime = new ClusterRuntime(cluster(CHECKED, 1, 2));
    assertTrue(runtime.endpoints().stream().noneMatch(UpstreamEndpoint::activeHealthy));
    Set<Integer> picked = new HashSet<>();
    for (int i = 0; i < 10; i++) {
      UpstreamEndpoint e = runtime.pick();
      assertNotNull(e, "panic mode: every endpoint is a candidate");
      picked.add(e.endpoint().port());
    }
    assertEquals(Set.of(1, 2), picked);
  }

  @Test
  void withoutHealthChecksNewEndpointsAreHealthy() {
    ClusterRuntime runtime = new ClusterRuntime(cluster(null, 1, 2));
    assertTrue(runtime.endpoints().stream().allMatch(UpstreamEndpoint::activeHealthy));
  }

  @Test
  void anEndpointAddedNextToHealthyOnesWaitsForItsFirstCheck() {
    ClusterRuntime runtime = new ClusterRuntime(cluster(CHECKED, 1, 2));
    runtime.endpoints().forEach(e -> e.activeHealthy(true));
    UpstreamEndpoint first = runtime.endpoints().get(0);

    runtime.updateEndpoints(cluster(CHECKED, 1, 2, 3));

    assertSame(first, runtime.endpoints().get(0), "survivors keep their state");
    assertTrue(first.activeHealthy());
    UpstreamEndpoint added = runtime.endpoints().get(2);
    assertFalse(added.activeHealthy());
    for (int i = 0; i < 20; i++) {
      assertTrue(runtime.pick() != added, "2 of 3 healthy is above the panic threshold");
    }
  }

  @Test
  void whenEveryEndpointIsEjectedAllOfThemTakeTrafficAgain() {
    ClusterRuntime runtime = new ClusterRuntime(cluster(null, 1, 2, 3));
    long until = System.nanoTime() + TimeUnit.HOURS.toNanos(1);
    runtime.endpoints().forEach(e -> e.eject(until));
    Set<UpstreamEndpoint> picked = new HashSet<>();
    for (int i = 0; i < 30; i++) {
      picked.add(runtime.pick());
    }
    assertEquals(Set.copyOf(runtime.endpoints()), picked);
  }

  @Test
  void outlierStreaksOfRemovedEndpointsAreForgotten() {
    ClusterRuntime runtime = new ClusterRuntime(cluster(null, 1, 2));
    UpstreamEndpoint leaving = runtime.endpoints().get(1);
    runtime.outliers().reportFailure(leaving, io.portcullis.dataplane.health.Failure.RESET);
    assertEquals(1, runtime.outliers().consecutiveFailures(leaving));
    runtime.updateEndpoints(cluster(null, 1));
    assertEquals(0, runtime.outliers().consecutiveFailures(leaving));
  }
}
