package io.portcullis.dataplane.resilience;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * Counters of the protections around upstream requests, per cluster, in the dataplane's registry.
 * They count rare events (a retry, a timeout, a tripped limit), so looking up the labelled data
 * point per event is cheap enough.
 */
public final class ResilienceMetrics {
  private final Counter retries;
  private final Counter timeouts;
  private final Counter overflows;
  private final Counter mirrors;

  public ResilienceMetrics(PrometheusRegistry registry) {
    retries =
        Counter.builder()
            .name("portcullis_upstream_retries")
            .help("Retries sent, by cluster and the condition that caused them")
            .labelNames("cluster", "condition")
            .register(registry);
    timeouts =
        Counter.builder()
            .name("portcullis_upstream_timeouts")
            .help("Upstream timeouts, by cluster and kind (connect, per_try, total, idle)")
            .labelNames("cluster", "kind")
            .register(registry);
    overflows =
        Counter.builder()
            .name("portcullis_upstream_overflows")
            .help("Requests or retries refused by a circuit breaker, by cluster and limit")
            .labelNames("cluster", "limit")
            .register(registry);
    mirrors =
        Counter.builder()
            .name("portcullis_mirror_requests")
            .help("Mirrored requests, by shadow cluster and result (sent, failed, skipped_body)")
            .labelNames("cluster", "result")
            .register(registry);
  }

  public void retry(String cluster, RetryDecision.Condition condition) {
    retries.labelValues(cluster, condition.conditionName()).inc();
  }

  /** @param kind {@code connect}, {@code per_try}, {@code total} or {@code idle} */
  public void timeout(String cluster, String kind) {
    timeouts.labelValues(cluster, kind).inc();
  }

  public void overflow(String cluster, Overflow limit) {
    overflows.labelValues(cluster, limit.value()).inc();
  }

  /** @param result {@code sent}, {@code failed} or {@code skipped_body} */
  public void mirror(String cluster, String result) {
    mirrors.labelValues(cluster, result).inc();
  }
}
