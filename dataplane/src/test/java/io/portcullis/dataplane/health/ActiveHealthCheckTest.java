package io.portcullis.dataplane.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.dataplane.testing.TestBackend.Mode;
import io.portcullis.dataplane.health.ProxyHarness.Answer;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.HealthCheck;
import io.portcullis.snapshot.ClusterPolicy.StatusRange;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Active HTTP health checks through the real proxy against backends on loopback. */
class ActiveHealthCheckTest {
  private final ProxyHarness harness = new ProxyHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  private TestBackend backend(String name) {
    return harness.backend(name, Mode.OK);
  }

  private static ClusterPolicy checked(long intervalMillis, String host, List<StatusRange> expected) {
    return new ClusterPolicy(
        null, null, null, 0,
        new HealthCheck(TestBackend.HEALTH_PATH, host, intervalMillis, 500, 2, 2, expected),
        null, null, 0, null);
  }

  /** The bodies of {@code n} requests, each of which must succeed. */
  private Set<String> bodiesOf(int n) {
    Set<String> bodies = new HashSet<>();
    for (int i = 0; i < n; i++) {
      Answer answer = harness.get("/");
      assertEquals(200, answer.status());
      bodies.add(answer.body());
    }
    return bodies;
  }

  private static Duration deadline() {
    return Duration.ofSeconds(10);
  }

  @Test
  void anEndpointAnswering503IsTakenOutOfRotationAndComesBackWhenItAnswers200Again()
      throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    harness.serve(checked(50, null, List.of()), 0, a.port(), b.port());
    UpstreamEndpoint bEndpoint = harness.endpoint(b.port());
    await().atMost(deadline()).until(
        () -> harness.cluster().endpoints().stream().allMatch(UpstreamEndpoint::activeHealthy));

    b.healthStatus = 503;
    await().atMost(deadline()).until(() -> !bEndpoint.activeHealthy());
    JsonNode bJson = harness.clustersEntry(b.port());
    assertEquals("unhealthy", bJson.get("health").asText());
    assertTrue(bJson.get("healthCheckFailures").asLong() >= 2, bJson.toString());
    assertTrue(harness.admin("/metrics").body().contains(
        "portcullis_endpoint_healthy{cluster=\"" + ProxyHarness.CLUSTER + "\",endpoint=\"127.0.0.1:"
            + b.port() + "\"} 0.0"));

    int bBefore = b.hits.get();
    for (int i = 0; i < 10; i++) {
      assertEquals(new Answer(200, "a"), harness.get("/"));
    }
    assertEquals(bBefore, b.hits.get(), "no traffic to the unhealthy endpoint");

    b.healthStatus = 200;
    await().atMost(deadline()).until(bEndpoint::activeHealthy);
    await().atMost(deadline()).pollInterval(Duration.ofMillis(10)).until(() -> {
      harness.get("/");
      return b.hits.get() > bBefore;
    });
    assertEquals("healthy", harness.clustersEntry(b.port()).get("health").asText());
  }

  @Test
  void newEndpointsWaitForTheirFirstCheckButAClusterOfOnlyUncheckedOnesStillServes() {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    a.healthStatus = 503; // never passes
    b.healthStatus = 503;
    harness.serve(checked(50, null, List.of()), 0, a.port(), b.port());
    assertFalse(harness.endpoint(a.port()).activeHealthy(), "unhealthy until a check passes");
    assertFalse(harness.endpoint(b.port()).activeHealthy());
    assertEquals(Set.of("a", "b"), bodiesOf(4), "panic mode serves the cluster anyway");
    await().atMost(deadline()).until(() -> a.healthChecks.get() >= 2 && b.healthChecks.get() >= 2);
    assertEquals(Set.of("a", "b"), bodiesOf(4), "still, after failed checks");
  }

  @Test
  void aNewEndpointIsCheckedWithinASecondEvenWithALongInterval() {
    TestBackend a = backend("a");
    harness.serve(checked(600_000, null, List.of()), 0, a.port());
    await().atMost(deadline()).until(() -> harness.endpoint(a.port()).activeHealthy());
    assertEquals(1, a.healthChecks.get());
  }

  @Test
  void checksSendTheConfiguredHostAndHonourExpectedStatuses() {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    a.healthStatus = 418;
    harness.serve(
        checked(50, "health.example", List.of(new StatusRange(200, 200), new StatusRange(418, 418))),
        0, a.port(), b.port());
    await().atMost(deadline()).until(
        () -> harness.cluster().endpoints().stream().allMatch(UpstreamEndpoint::activeHealthy));
    assertEquals("health.example", a.lastHealthHost);

    b.healthStatus = 204; // a success by default, not in the configured list
    await().atMost(deadline()).until(() -> !harness.endpoint(b.port()).activeHealthy());
    assertTrue(harness.endpoint(a.port()).activeHealthy());
  }

  @Test
  void theHostHeaderDefaultsToTheEndpointAddress() {
    TestBackend a = backend("a");
    harness.serve(checked(50, null, List.of()), 0, a.port());
    await().atMost(deadline()).until(() -> a.lastHealthHost != null);
    assertEquals("127.0.0.1:" + a.port(), a.lastHealthHost);
  }

  @Test
  void aHangingOrRefusingEndpointFailsItsChecks() throws Exception {
    TestBackend hanging = backend("hang");
    hanging.healthStatus = TestBackend.HANG_HEALTH;
    TestBackend good = backend("good");
    int refused = LoopbackServer.closedPort();
    harness.serve(checked(50, null, List.of()), 0, good.port(), refused, hanging.port());
    await().atMost(deadline()).until(
        () -> harness.health.checkFailures(harness.endpoint(refused)) >= 2
            && harness.health.checkFailures(harness.endpoint(hanging.port())) >= 2);
    assertFalse(harness.endpoint(refused).activeHealthy());
    assertFalse(harness.endpoint(hanging.port()).activeHealthy());
    assertTrue(harness.endpoint(good.port()).activeHealthy());
    assertEquals(0, harness.health.checkFailures(harness.endpoint(good.port())));
  }

  @Test
  void checksFollowTheConfigNewEndpointsAreCheckedRemovedOnesAreNot() {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    ClusterPolicy policy = checked(50, null, List.of());
    harness.serve(policy, 0, a.port());
    await().atMost(deadline()).until(() -> a.healthChecks.get() > 0);
    assertEquals(1, harness.health.probeCount());

    harness.serve(policy, 0, a.port(), b.port());
    assertEquals(2, harness.health.probeCount());
    await().atMost(deadline()).until(() -> harness.endpoint(b.port()).activeHealthy());

    harness.serve(policy, 0, a.port());
    assertEquals(1, harness.health.probeCount());
    UpstreamEndpoint aEndpoint = harness.endpoint(a.port());
    assertTrue(harness.health.checks(aEndpoint) > 0, "a kept its probe and its count");
    assertTrue(aEndpoint.activeHealthy());

    harness.serve(null, 0, a.port());
    assertEquals(0, harness.health.probeCount(), "a policy without checks stops them");
    assertTrue(harness.endpoint(a.port()).activeHealthy());
  }
}
