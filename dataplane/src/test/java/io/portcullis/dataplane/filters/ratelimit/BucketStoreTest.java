package io.portcullis.dataplane.filters.ratelimit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The store's memory bound and idle expiry. */
class BucketStoreTest {
  private final FakeClock clock = new FakeClock();

  @Test
  @DisplayName("a flood of distinct keys leaves the store at its bound, and the hot key stays limited")
  void floodStaysBounded() {
    BucketStore store = new BucketStore(1_000, clock, clock);
    Limit limit = new Limit(new RateLimitPolicy(1, 60, 5, "header:x-api-key"), 1);
    BucketKey hot = new BucketKey(limit, "r", "hot");
    for (int i = 0; i < 5; i++) {
      assertTrue(store.tryConsume(hot).isConsumed());
    }
    for (int i = 0; i < 100_000; i++) {
      store.tryConsume(new BucketKey(limit, "r", "flood-" + i));
      if (i % 100 == 0) {
        assertFalse(store.tryConsume(hot).isConsumed(), "the hot key is limited after " + i);
      }
    }
    assertTrue(store.size() <= 1_000, "store holds " + store.size());
    assertFalse(store.tryConsume(hot).isConsumed());
  }

  @Test
  @DisplayName("a bucket idle for its refill time is dropped: it would be full again anyway")
  void idleBucketsExpire() {
    BucketStore store = new BucketStore(1_000, clock, clock);
    Limit limit = new Limit(RateLimitPolicy.perSecond(10, 20), 1);
    assertEquals(Duration.ofSeconds(2), limit.idleExpiry());
    store.tryConsume(new BucketKey(limit, "r", "a"));
    assertEquals(1, store.size());
    clock.advance(Duration.ofMillis(1500));
    assertEquals(1, store.size());
    // Caffeine's timer wheel removes it in its next tick after the expiry (about a second apart).
    clock.advance(Duration.ofMillis(2500));
    assertEquals(0, store.size());
  }

  @Test
  @DisplayName("shared by three dataplanes: the same sustained rate over a three times longer period, burst divided up")
  void dividedLimit() {
    Limit limit = new Limit(new RateLimitPolicy(30, 1, 10, null), 3);
    assertEquals(4, limit.capacity());
    assertEquals(30, limit.refillTokens());
    assertEquals(Duration.ofSeconds(3), limit.refillPeriod());
  }
}
