package io.portcullis.dataplane.filters.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import io.portcullis.dataplane.testing.FakeFilterContext;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The filter alone, on a fake request and a hand-moved clock. */
class RateLimitFilterTest {
  private final FakeClock clock = new FakeClock();
  private final BucketStore store = new BucketStore(1000, clock, clock);
  private final RateLimits limits = new RateLimits(store);

  private static FakeFilterContext from(String address) throws Exception {
    return FakeFilterContext.of("http", "GET", "a.example.com", "/").client(InetAddress.getByName(address));
  }

  /** The status the filter answers, 0 when it lets the request through. */
  private static int status(HttpFilter filter, FakeFilterContext ctx) {
    FilterAction action = filter.onRequest(ctx);
    if (action instanceof FilterAction.Respond r) {
      LocalResponses.release(r.response().body());
      return r.response().status();
    }
    return 0;
  }

  @Test
  @DisplayName("a burst is let through, the next request gets 429 with Retry-After and the RateLimit fields")
  void burstThenTooManyRequests() throws Exception {
    HttpFilter filter = limits.create(new RateLimitPolicy(1, 2, 3, null));
    for (int i = 0; i < 3; i++) {
      assertEquals(0, status(filter, from("10.0.0.1")));
    }
    FilterAction action = filter.onRequest(from("10.0.0.1"));
    LocalResponse response = assertInstanceOf(FilterAction.Respond.class, action).response();
    LocalResponses.release(response.body());
    assertEquals(429, response.status());
    assertEquals("2", response.headers().get("retry-after"));
    assertEquals("\"client\";q=1;w=2", response.headers().get("ratelimit-policy"));
    assertEquals("\"client\";r=0;t=2", response.headers().get("ratelimit"));
  }

  @Test
  @DisplayName("tokens come back at the refill rate: one per period, never more than the burst")
  void refill() throws Exception {
    HttpFilter filter = limits.create(RateLimitPolicy.perSecond(2, 2));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1")));
    clock.advance(Duration.ofMillis(500));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1")));
    clock.advance(Duration.ofSeconds(30));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1")));
  }

  @Test
  @DisplayName("every client address has its own bucket")
  void perClient() throws Exception {
    HttpFilter filter = limits.create(RateLimitPolicy.perSecond(1, 1));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1")));
    assertEquals(0, status(filter, from("10.0.0.2")));
    assertEquals(0, status(filter, from("2001:db8::1")));
  }

  @Test
  @DisplayName("header keys: a bucket per value; without the header the client address is the key")
  void headerKeys() throws Exception {
    HttpFilter filter = limits.create(new RateLimitPolicy(1, 1, 1, "header:X-Api-Key"));
    assertEquals(0, status(filter, from("10.0.0.1").header("x-api-key", "alpha")));
    assertEquals(429, status(filter, from("10.0.0.2").header("X-API-Key", "alpha")));
    assertEquals(0, status(filter, from("10.0.0.1").header("x-api-key", "beta")));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1").header("x-api-key", "k".repeat(300))));
    assertEquals(0, status(filter, from("10.0.0.3")));
  }

  @Test
  @DisplayName("the same limit on two routes keeps two budgets; a changed limit starts fresh buckets")
  void identity() throws Exception {
    RateLimitPolicy policy = RateLimitPolicy.perSecond(1, 1);
    HttpFilter filter = limits.create(policy);
    assertEquals(0, status(filter, from("10.0.0.1").route("a")));
    assertEquals(429, status(filter, from("10.0.0.1").route("a")));
    assertEquals(0, status(filter, from("10.0.0.1").route("b")));
    assertEquals(429, status(limits.create(policy), from("10.0.0.1").route("a")),
        "an equal policy in a new snapshot shares the bucket");
    assertEquals(0, status(limits.create(RateLimitPolicy.perSecond(1, 2)), from("10.0.0.1").route("a")));
  }

  @Test
  @DisplayName("one of four dataplanes lets through a quarter of the burst and refills four times slower")
  void share() throws Exception {
    HttpFilter filter = limits.create(new RateLimitPolicy(4, 1, 8, null).withDataplanes(4));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1")));
    clock.advance(Duration.ofMillis(500));
    assertEquals(429, status(filter, from("10.0.0.1")), "4 tokens per 4 s: half a token so far");
    clock.advance(Duration.ofMillis(500));
    assertEquals(0, status(filter, from("10.0.0.1")));
    assertEquals(429, status(filter, from("10.0.0.1")));
  }

  @Test
  @DisplayName("allowed and rejected requests are counted per route")
  void metrics() throws Exception {
    PrometheusRegistry registry = new PrometheusRegistry();
    limits.metrics().registerIn(registry);
    HttpFilter filter = limits.create(RateLimitPolicy.perSecond(1, 1));
    status(filter, from("10.0.0.1").route("r"));
    status(filter, from("10.0.0.1").route("r"));
    status(filter, from("10.0.0.1").route("r"));
    CounterSnapshot counter = (CounterSnapshot) registry.scrape().stream()
        .filter(m -> m.getMetadata().getName().equals("portcullis_rate_limit_requests"))
        .findFirst().orElseThrow();
    double allowed = 0;
    double rejected = 0;
    for (var p : counter.getDataPoints()) {
      if (p.getLabels().get("result").equals("allowed")) {
        allowed = p.getValue();
      } else {
        rejected = p.getValue();
      }
    }
    assertEquals(1, allowed);
    assertEquals(2, rejected);
    assertTrue(registry.scrape().stream()
        .anyMatch(m -> m.getMetadata().getName().equals("portcullis_rate_limit_buckets")));
  }
}
