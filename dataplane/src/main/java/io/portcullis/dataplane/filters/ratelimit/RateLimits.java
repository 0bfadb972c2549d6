package io.portcullis.dataplane.filters.ratelimit;

import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.snapshot.filter.RateLimitPolicy;

/**
 * Builds the rate-limit filter of a {@link RateLimitPolicy}, and holds what outlives a snapshot:
 * the bucket store and the metrics. Snapshot swaps rebuild the cheap per-route filters; the
 * buckets stay.
 *
 * <p>Register with {@code builder.add(RateLimitPolicy.class, FilterStage.RATE_LIMIT,
 * rateLimits::create)}.
 */
public final class RateLimits {
  private final BucketStore store;
  private final RateLimitMetrics metrics;

  public RateLimits(BucketStore store) {
    this.store = store;
    this.metrics = new RateLimitMetrics(store);
  }

  private static final class Shared {
    static final RateLimits INSTANCE = new RateLimits(new BucketStore(BucketStore.DEFAULT_MAX_BUCKETS));
  }

  /**
   * The process's buckets, created on first use and kept for the life of the process: what
   * {@link io.portcullis.dataplane.filters.StandardFilters} registers. Its metrics are shown
   * where {@link #metrics()} is registered.
   */
  public static RateLimits shared() {
    return Shared.INSTANCE;
  }

  /** The counters and the bucket gauge, to register in a dataplane's metrics registry. */
  public RateLimitMetrics metrics() {
    return metrics;
  }

  public BucketStore store() {
    return store;
  }

  /** The filter enforcing this dataplane's share of {@code policy}. */
  public HttpFilter create(RateLimitPolicy policy) {
    return new RateLimitFilter(new Limit(policy, policy.dataplanes()), store, metrics);
  }
}
