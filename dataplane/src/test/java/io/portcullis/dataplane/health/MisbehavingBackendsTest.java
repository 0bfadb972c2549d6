package io.portcullis.dataplane.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.dataplane.testing.TestBackend.Mode;
import io.portcullis.dataplane.health.ProxyHarness.Answer;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.OutlierDetection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Passive outlier detection through the real proxy, with backends on loopback that refuse
 * connections, reset mid-response, hang, or answer 503.
 */
class MisbehavingBackendsTest {
  /** The route gives up on a hanging backend after this long (504). */
  private static final long ROUTE_TIMEOUT_MILLIS = 300;

  private final ProxyHarness harness = new ProxyHarness();

  @AfterEach
  void stop() {
    harness.close();
  }

  enum Misbehaviour { REFUSES_CONNECTIONS, RESETS_MID_RESPONSE, HANGS, ANSWERS_503 }

  private TestBackend backend(String name, Mode mode) {
    return harness.backend(name, mode);
  }

  private int misbehaving(Misbehaviour kind) throws Exception {
    return switch (kind) {
      case REFUSES_CONNECTIONS -> LoopbackServer.closedPort();
      case RESETS_MID_RESPONSE -> backend("bad", Mode.HEAD_THEN_RESET).port();
      case HANGS -> backend("bad", Mode.HANG).port();
      case ANSWERS_503 -> backend("bad", Mode.UNAVAILABLE).port();
    };
  }

  private static ClusterPolicy outliers(int gatewayFailures, long baseMillis, int maxPercent) {
    return new ClusterPolicy(
        null, null, null, 0, null,
        new OutlierDetection(0, gatewayFailures, baseMillis, baseMillis * 4, maxPercent),
        null, 0, null);
  }

  private static boolean ejected(UpstreamEndpoint e) {
    return e.ejected(System.nanoTime());
  }

  /** Sends requests until {@code endpoint} is ejected, at most {@code max}. */
  private void requestUntilEjected(UpstreamEndpoint endpoint, int max) {
    for (int i = 0; i < max && !ejected(endpoint); i++) {
      harness.get("/");
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Misbehaviour.class)
  void anEndpointThatKeepsFailingIsEjectedTrafficAvoidsItAndItComesBack(Misbehaviour kind)
      throws Exception {
    int good = backend("good", Mode.OK).port();
    int bad = misbehaving(kind);
    harness.serve(outliers(3, 1_000, 50), ROUTE_TIMEOUT_MILLIS, good, bad);
    UpstreamEndpoint badEndpoint = harness.endpoint(bad);

    // Round robin alternates, so the bad endpoint gets every other request: 3 failures in 6.
    requestUntilEjected(badEndpoint, 12);
    assertTrue(ejected(badEndpoint), "ejected after 3 failures in a row");
    assertEquals(3, badEndpoint.failures());
    assertEquals(1, badEndpoint.ejections());

    int servedWhileEjected = 0;
    while (servedWhileEjected < 10) {
      Answer answer = harness.get("/");
      if (!ejected(badEndpoint)) {
        break; // the ejection ended while this request ran: it may have gone either way
      }
      assertEquals(new Answer(200, "good"), answer);
      servedWhileEjected++;
    }
    assertTrue(servedWhileEjected >= 3, "the ejection lasted only " + servedWhileEjected + " requests");

    long before = badEndpoint.requests();
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(20))
        .until(() -> {
          harness.get("/");
          return badEndpoint.requests() > before;
        });
    assertEquals(0, badEndpoint.activeRequests(), "every request to it was counted as finished");
  }

  @Test
  void neverMoreThanTheMaxEjectionPercentOfTheClusterIsEjected() {
    int a = backend("a", Mode.UNAVAILABLE).port();
    int b = backend("b", Mode.UNAVAILABLE).port();
    harness.serve(outliers(2, 10_000, 50), 0, a, b);

    for (int i = 0; i < 12; i++) {
      harness.get("/");
    }

    long ejectedNow = harness.cluster().endpoints().stream().filter(MisbehavingBackendsTest::ejected).count();
    assertEquals(1, ejectedNow, "half of two endpoints");
    UpstreamEndpoint kept =
        harness.cluster().endpoints().stream().filter(e -> !ejected(e)).findFirst().orElseThrow();
    long before = kept.requests();
    harness.get("/");
    assertEquals(before + 1, kept.requests(), "the one left takes the traffic");
  }

  @Test
  void whenEveryEndpointIsEjectedTrafficSpreadsOverAllOfThemAgain() {
    TestBackend a = backend("a", Mode.UNAVAILABLE);
    TestBackend b = backend("b", Mode.UNAVAILABLE);
    harness.serve(outliers(2, 10_000, 100), 0, a.port(), b.port());

    for (int i = 0; i < 8 && !harness.cluster().endpoints().stream().allMatch(MisbehavingBackendsTest::ejected); i++) {
      harness.get("/");
    }
    assertTrue(harness.cluster().endpoints().stream().allMatch(MisbehavingBackendsTest::ejected));

    int before = a.hits.get() + b.hits.get();
    List<String> bodies = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Answer answer = harness.get("/");
      assertEquals(503, answer.status());
      bodies.add(answer.body());
    }
    assertEquals(before + 4, a.hits.get() + b.hits.get(), "panic mode: the backends answer");
    assertTrue(bodies.contains("a") && bodies.contains("b"), bodies.toString());
  }

  @Test
  void clustersAndMetricsShowTheEjection() throws Exception {
    int good = backend("good", Mode.OK).port();
    int bad = backend("bad", Mode.UNAVAILABLE).port();
    harness.serve(outliers(2, 10_000, 50), 0, good, bad);
    UpstreamEndpoint badEndpoint = harness.endpoint(bad);
    requestUntilEjected(badEndpoint, 10);
    assertTrue(ejected(badEndpoint));

    JsonNode badJson = harness.clustersEntry(bad);
    assertEquals("ejected", badJson.get("health").asText());
    assertEquals(1, badJson.get("ejections").asInt());
    assertEquals(2, badJson.get("failures").asInt());
    assertTrue(badJson.get("ejectedForMillis").asLong() > 5_000, badJson.toString());
    JsonNode goodJson = harness.clustersEntry(good);
    assertEquals("healthy", goodJson.get("health").asText());
    assertEquals(0, goodJson.get("failures").asInt());
    assertTrue(goodJson.get("requests").asInt() >= 1);

    String metrics = harness.admin("/metrics").body();
    String cluster = "cluster=\"" + ProxyHarness.CLUSTER + "\"";
    assertTrue(metrics.contains(
        "portcullis_endpoint_ejected{" + cluster + ",endpoint=\"127.0.0.1:" + bad + "\"} 1.0"), metrics);
    assertTrue(metrics.contains(
        "portcullis_endpoint_ejected{" + cluster + ",endpoint=\"127.0.0.1:" + good + "\"} 0.0"), metrics);
    assertTrue(metrics.contains(
        "portcullis_endpoint_ejections_total{" + cluster + ",endpoint=\"127.0.0.1:" + bad + "\"} 1.0"), metrics);
    assertTrue(metrics.contains(
        "portcullis_endpoint_errors_total{" + cluster + ",endpoint=\"127.0.0.1:" + bad + "\"} 2.0"), metrics);
    assertTrue(metrics.contains("portcullis_cluster_endpoints{" + cluster + ",state=\"ejected\"} 1.0"), metrics);
    assertTrue(metrics.contains("portcullis_cluster_endpoints{" + cluster + ",state=\"healthy\"} 1.0"), metrics);
    assertTrue(metrics.contains("portcullis_cluster_upstream_errors_total{" + cluster + "} 2.0"), metrics);
  }
}
