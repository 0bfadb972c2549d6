package io.portcullis.dataplane.filters.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.github.bucket4j.TimeMeter;

/**
 * Every token bucket of the process, outside any snapshot, so a swap that leaves a route's limit
 * unchanged keeps its buckets (and a client that was limited stays limited).
 *
 * <p>Memory is bounded under a flood of distinct keys: at most {@code maxBuckets} buckets
 * (Caffeine's W-TinyLFU keeps the often-used ones, so a flood of one-off keys does not push out a
 * hot client), and a bucket idle for its refill time is dropped (it would be full again, the same
 * as a new one). Buckets are lock-free; a request only ever tries to take a token, never waits.
 */
public final class BucketStore {
  /**
   * About 500 bytes a bucket with its key and cache entry (measured with short keys; a 256-character
   * header value adds some 250): some 35 MB at most, 50 MB with the longest header keys.
   */
  public static final long DEFAULT_MAX_BUCKETS = 65_536;

  private final Cache<BucketKey, Bucket> buckets;
  private final TimeMeter clock;

  public BucketStore(long maxBuckets) {
    this(maxBuckets, TimeMeter.SYSTEM_MILLISECONDS, Ticker.systemTicker());
  }

  /** With other clocks (tests): {@code clock} refills the buckets, {@code ticker} expires them. */
  BucketStore(long maxBuckets, TimeMeter clock, Ticker ticker) {
    if (maxBuckets < 1) {
      throw new IllegalArgumentException("maxBuckets must be positive: " + maxBuckets);
    }
    this.clock = clock;
    this.buckets = Caffeine.newBuilder()
        .maximumSize(maxBuckets)
        .expireAfter(Expiry.<BucketKey, Bucket>accessing((key, bucket) -> key.limit().idleExpiry()))
        .ticker(ticker)
        .build();
  }

  /** Takes one token from the key's bucket (created full on first use). Never blocks. */
  ConsumptionProbe tryConsume(BucketKey key) {
    return buckets.get(key, this::newBucket).tryConsumeAndReturnRemaining(1);
  }

  private Bucket newBucket(BucketKey key) {
    Limit limit = key.limit();
    return Bucket.builder()
        .addLimit(l -> l.capacity(limit.capacity())
            .refillGreedy(limit.refillTokens(), limit.refillPeriod()))
        .withCustomTimePrecision(clock)
        .build();
  }

  /** How many buckets are held (after pending evictions ran). */
  public long size() {
    buckets.cleanUp();
    return buckets.estimatedSize();
  }
}
