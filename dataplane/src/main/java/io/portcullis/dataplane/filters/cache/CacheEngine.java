package io.portcullis.dataplane.filters.cache;

import io.portcullis.snapshot.filter.CachePolicy;
import java.util.function.LongSupplier;

/**
 * The dataplane's cache: one byte-weighted store, the in-flight misses, the metrics and the
 * clock, built once at start and shared by every route's {@link CacheFilter} across snapshot
 * swaps (a new snapshot rebuilds the filters, never the stored responses).
 */
public final class CacheEngine {
  private final CacheStore store;
  private final Coalescer coalescer = new Coalescer();
  private final BackgroundRefresh refresh = new BackgroundRefresh(this);
  private final CacheMetrics metrics;
  private final LongSupplier clock;

  public CacheEngine(long sizeBytes, CacheMetrics metrics) {
    this(sizeBytes, metrics, System::currentTimeMillis);
  }

  /** With a clock in epoch milliseconds (tests move time forward by hand). */
  public CacheEngine(long sizeBytes, CacheMetrics metrics, LongSupplier clock) {
    if (sizeBytes <= 0) {
      throw new IllegalArgumentException("cache size must be positive");
    }
    this.metrics = metrics;
    this.store = new CacheStore(sizeBytes, metrics);
    this.clock = clock;
    metrics.watch(store::weightedSize, store::entries);
  }

  /** An engine of its own (64 MiB, metrics nowhere): for tests and tools without a dataplane. */
  public static CacheEngine standalone() {
    return new CacheEngine(64L << 20, CacheMetrics.unregistered());
  }

  /** The filter for one route's (or host's) cache config. */
  public CacheFilter filter(CachePolicy policy) {
    return new CacheFilter(policy, this);
  }

  /**
   * Drops the stored responses of one key ({@code GET https://host/path?query}; a bare URL is
   * read as its GET key). Returns how many keys went (0 or 1).
   */
  public int purgeKey(String key) {
    return store.invalidate(normalised(key));
  }

  /** Drops every stored key starting with {@code prefix} (a bare URL prefix means its GET keys). */
  public int purgePrefix(String prefix) {
    return store.invalidatePrefix(normalised(prefix));
  }

  private static String normalised(String key) {
    return key.startsWith("GET ") ? key : "GET " + key;
  }

  CacheStore store() {
    return store;
  }

  Coalescer coalescer() {
    return coalescer;
  }

  BackgroundRefresh refresh() {
    return refresh;
  }

  CacheMetrics metrics() {
    return metrics;
  }

  long now() {
    return clock.getAsLong();
  }
}
