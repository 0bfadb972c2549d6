package io.portcullis.snapshot.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.SnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RateLimitPolicyTest {
  private static FilterConfig read(String json) throws Exception {
    return SnapshotCodec.fromJson(json.getBytes(StandardCharsets.UTF_8), FilterConfig.class);
  }

  @Test
  void missingFieldsReadAsOnePerSecondPeriodBurstEqualToRateAndClientKey() throws Exception {
    RateLimitPolicy limit = (RateLimitPolicy) read("{\"type\":\"rateLimit\",\"requests\":10}");
    assertEquals(new RateLimitPolicy(10, 1, 10, "client"), limit);
    assertNull(limit.headerName());
  }

  @Test
  void roundTripsEverySetting() throws Exception {
    FilterConfig limit = new RateLimitPolicy(100, 60, 20, "Header: X-Api-Key ");
    String json = SnapshotCodec.toJsonString(limit);
    assertTrue(json.contains("\"key\":\"header:x-api-key\""), json);
    assertEquals(limit, read(json));
    assertEquals("x-api-key", ((RateLimitPolicy) limit).headerName());
  }

  @Test
  void theRejectStatusIs429UnlessSetKeptAcrossSharesAndBoundedTo4xxOr5xx() throws Exception {
    assertEquals(429, ((RateLimitPolicy) read("{\"type\":\"rateLimit\",\"requests\":10}")).rejectStatus());
    RateLimitPolicy nginx = new RateLimitPolicy(10, 1, 10, "client").withRejectStatus(503);
    assertEquals(nginx, read(SnapshotCodec.toJsonString(nginx)));
    assertEquals(503, nginx.withDataplanes(3).rejectStatus());
    assertTrue(assertThrows(IllegalArgumentException.class, () -> nginx.withRejectStatus(200))
        .getMessage().contains("400 to 599"));
  }

  @Test
  void refillTimeIsWhatAnEmptyBucketTakesToFillUp() {
    assertEquals(Duration.ofSeconds(2), new RateLimitPolicy(5, 1, 10, null).refillTime());
    assertEquals(Duration.ofSeconds(60), new RateLimitPolicy(100, 60, 100, null).refillTime());
    assertEquals(Duration.ofMillis(100), new RateLimitPolicy(10, 1, 1, null).refillTime());
  }

  @Test
  void rejectsWhatCannotRun() {
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(0, 1, 1, null));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(1, -1, 1, null));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(1, 86_401, 1, null));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(1, 1, -5, null));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(1, 1, 1, "header:"));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(1, 1, 1, "header:a b"));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(1, 1, 1, "claim:sub"));
    assertThrows(IllegalArgumentException.class, () -> new RateLimitPolicy(1, 1, 1, "cookie"));
  }
}
