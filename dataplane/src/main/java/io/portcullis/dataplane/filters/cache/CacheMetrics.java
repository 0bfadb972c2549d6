package io.portcullis.dataplane.filters.cache;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.LongSupplier;

/**
 * The cache's metrics: lookups by result ({@code hit}, {@code miss}, {@code stale} served,
 * {@code revalidated} by a 304, {@code bypass}), requests that waited for another's miss
 * ({@code coalesced}), bytes served from the cache, evictions, and the store's size.
 */
public final class CacheMetrics {
  private final Counter lookups;
  private final Counter coalesced;
  private final Counter servedBytes;
  private final Counter refreshes;
  private final Counter evictions;

  /** Unregistered metrics, for tests. */
  public static CacheMetrics unregistered() {
    return new CacheMetrics(new PrometheusRegistry());
  }

  public CacheMetrics(PrometheusRegistry registry) {
    lookups = Counter.builder()
        .name("portcullis_cache_lookups")
        .help("Cacheable requests by result: hit, miss, stale (served stale), revalidated, bypass")
        .labelNames("result")
        .register(registry);
    coalesced = Counter.builder()
        .name("portcullis_cache_coalesced")
        .help("Requests that waited for another request's miss of the same key instead of going upstream")
        .register(registry);
    servedBytes = Counter.builder()
        .name("portcullis_cache_served_bytes")
        .help("Body bytes answered from the cache")
        .register(registry);
    refreshes = Counter.builder()
        .name("portcullis_cache_background_refreshes")
        .help("Stale responses revalidated in the background within stale-while-revalidate, by"
            + " result: not_modified (refreshed), changed (dropped; the next request fetches it),"
            + " failed (kept)")
        .labelNames("result")
        .register(registry);
    evictions = Counter.builder()
        .name("portcullis_cache_evictions")
        .help("Stored URLs evicted to stay within --cache-size")
        .register(registry);
    this.registry = registry;
  }

  private final PrometheusRegistry registry;

  /** Registers the store's size gauges. */
  void watch(LongSupplier bytes, LongSupplier entries) {
    GaugeWithCallback.builder()
        .name("portcullis_cache_stored_bytes")
        .help("Bytes held by the cache (as weighed)")
        .callback(cb -> cb.call(bytes.getAsLong()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_cache_entries")
        .help("URLs stored in the cache")
        .callback(cb -> cb.call(entries.getAsLong()))
        .register(registry);
  }

  void lookup(String result) {
    lookups.labelValues(result).inc();
  }

  double lookups(String result) {
    return lookups.labelValues(result).get();
  }

  void coalesced() {
    coalesced.inc();
  }

  double coalescedCount() {
    return coalesced.get();
  }

  void served(long bytes) {
    servedBytes.inc(bytes);
  }

  void refreshed(String result) {
    refreshes.labelValues(result).inc();
  }

  double refreshes(String result) {
    return refreshes.labelValues(result).get();
  }

  void evicted() {
    evictions.inc();
  }

  double evictionCount() {
    return evictions.get();
  }
}
