package io.portcullis.dataplane.filters.ratelimit;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * {@code portcullis_rate_limit_requests{route, result}} (allowed or rejected: requests that met a
 * limit, and what became of them) and {@code portcullis_rate_limit_buckets} (buckets held: the
 * store's memory, bounded).
 */
public final class RateLimitMetrics {
  private final Counter requests;
  private final GaugeWithCallback buckets;
  private final ConcurrentMap<String, RouteCounts> routes = new ConcurrentHashMap<>();

  /** Metrics not yet shown anywhere: see {@link #registerIn}. */
  RateLimitMetrics(BucketStore store) {
    requests = Counter.builder()
        .name("portcullis_rate_limit_requests")
        .help("Requests on rate-limited routes, by route and result (allowed, rejected: 429)")
        .labelNames("route", "result")
        .build();
    buckets = GaugeWithCallback.builder()
        .name("portcullis_rate_limit_buckets")
        .help("Token buckets held for rate limits (bounded; idle ones expire once full again)")
        .callback(cb -> cb.call(store.size()))
        .build();
  }

  /** Shows these metrics in {@code registry} (a dataplane's admin registry). */
  public void registerIn(PrometheusRegistry registry) {
    registry.register(requests);
    registry.register(buckets);
  }

  void allowed(String route) {
    counts(route).allowed().inc();
  }

  void rejected(String route) {
    counts(route).rejected().inc();
  }

  private RouteCounts counts(String route) {
    RouteCounts c = routes.get(route);
    return c != null ? c : routes.computeIfAbsent(route, r -> new RouteCounts(
        requests.labelValues(r, "allowed"), requests.labelValues(r, "rejected")));
  }

  private record RouteCounts(CounterDataPoint allowed, CounterDataPoint rejected) {}
}
