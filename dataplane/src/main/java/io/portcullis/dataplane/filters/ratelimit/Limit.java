package io.portcullis.dataplane.filters.ratelimit;

import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.time.Duration;

/**
 * What one dataplane enforces of a route's {@link RateLimitPolicy} when {@code dataplanes}
 * replicas share its budget: the same number of tokens over a period {@code dataplanes} times
 * longer (so the sustained rate divides exactly), and the burst divided, rounded up. Part of a
 * bucket's identity: a changed policy or replica count starts fresh buckets, an unchanged one keeps
 * them across snapshot swaps.
 *
 * @param policy the route's policy, as configured (the global budget)
 * @param dataplanes how many ready dataplanes share it, at least 1
 */
record Limit(RateLimitPolicy policy, int dataplanes) {
  Limit {
    if (dataplanes < 1) {
      throw new IllegalArgumentException("dataplanes must be at least 1: " + dataplanes);
    }
  }

  long capacity() {
    return Math.max(1, (policy.burst() + dataplanes - 1) / dataplanes);
  }

  long refillTokens() {
    return policy.requests();
  }

  Duration refillPeriod() {
    return Duration.ofSeconds(policy.periodSeconds() * dataplanes);
  }

  /**
   * How long an idle bucket is kept: the time an emptied one takes to fill up again. After that it
   * is full, the same as a fresh one, so dropping it changes nothing for the client.
   */
  Duration idleExpiry() {
    long nanos = refillPeriod().toNanos() / refillTokens() * capacity();
    return Duration.ofNanos(Math.max(nanos, 1_000_000));
  }
}
