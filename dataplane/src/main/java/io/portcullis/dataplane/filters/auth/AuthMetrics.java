package io.portcullis.dataplane.filters.auth;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/** {@code portcullis_auth_decisions{mechanism, result}}: what authentication decided, and how often. */
public final class AuthMetrics {
  /** How a request fared. */
  public enum Result {
    /** Authenticated (and allowed). */
    ALLOWED,
    /** No credentials: challenged with 401. */
    MISSING,
    /** Wrong or invalid credentials: 401 (or the external service's own answer). */
    DENIED,
    /** Authenticated but not allowed: 403. */
    FORBIDDEN,
    /** The check could not be made (service down, keys unavailable, misconfigured): 503. */
    UNAVAILABLE,
    /** The check could not be made and the route lets requests through anyway. */
    FAILED_OPEN;

    final String label = name().toLowerCase(java.util.Locale.ROOT);
  }

  private final Counter decisions;
  private final ConcurrentMap<String, CounterDataPoint> points = new ConcurrentHashMap<>();

  /** Metrics not yet shown anywhere: see {@link #registerIn}. */
  public AuthMetrics() {
    decisions = Counter.builder()
        .name("portcullis_auth_decisions")
        .help("Authentication decisions, by mechanism and result")
        .labelNames("mechanism", "result")
        .build();
  }

  public AuthMetrics(PrometheusRegistry registry) {
    this();
    registerIn(registry);
  }

  /** Shows these metrics in {@code registry} (a dataplane's admin registry). */
  public void registerIn(PrometheusRegistry registry) {
    registry.register(decisions);
  }

  void record(String mechanism, Result result) {
    points.computeIfAbsent(mechanism + '\0' + result.label,
        k -> decisions.labelValues(mechanism, result.label)).inc();
  }
}
