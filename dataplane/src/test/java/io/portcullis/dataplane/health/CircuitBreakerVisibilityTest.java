package io.portcullis.dataplane.health;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.dataplane.health.ProxyHarness.Answer;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.CircuitBreakers;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A full circuit breaker shows as open in {@code /clusters} and in the metrics, and closes again. */
class CircuitBreakerVisibilityTest {
  private static final String MAX_REQUESTS =
      "portcullis_cluster_circuit_breaker_open{cluster=\"" + ProxyHarness.CLUSTER
          + "\",limit=\"max-requests\"} ";

  private final ProxyHarness harness = new ProxyHarness();
  private final TestBackend backend = harness.backend("slow", TestBackend.Mode.HANG);

  @AfterEach
  void stop() {
    harness.close();
  }

  @Test
  void aClusterAtMaxRequestsShowsTheOpenBreakerUntilTheRequestEnds() throws Exception {
    ClusterPolicy oneRequest =
        new ClusterPolicy(
            null, null, null, 0, null, null, new CircuitBreakers(1024, 1024, 1, 20, 3), 0, null);
    harness.serve(oneRequest, 0, backend.port());
    assertTrue(harness.admin("/metrics").body().contains(MAX_REQUESTS + "0.0"));

    CompletableFuture<Answer> hanging = CompletableFuture.supplyAsync(() -> harness.get("/hang"));
    await().atMost(Duration.ofSeconds(10)).until(() -> maxRequests().get("open").asBoolean());
    JsonNode breaker = maxRequests();
    assertEquals(1, breaker.get("inUse").asInt());
    assertEquals(1, breaker.get("max").asInt());
    assertTrue(harness.admin("/metrics").body().contains(MAX_REQUESTS + "1.0"));
    assertEquals(503, harness.get("/refused").status(), "the breaker refuses the next request");

    backend.close(); // the hanging request fails, and its slot is given back
    assertEquals(502, hanging.get().status());
    await().atMost(Duration.ofSeconds(10)).until(() -> !maxRequests().get("open").asBoolean());
    assertFalse(harness.admin("/metrics").body().contains(MAX_REQUESTS + "1.0"));
  }

  private JsonNode maxRequests() throws Exception {
    JsonNode doc = new ObjectMapper().readTree(harness.admin("/clusters").body());
    for (JsonNode cluster : doc.get("clusters")) {
      if (cluster.get("name").asText().equals(ProxyHarness.CLUSTER)) {
        return cluster.get("circuitBreakers").get("max-requests");
      }
    }
    throw new AssertionError("no cluster in /clusters: " + doc);
  }
}
