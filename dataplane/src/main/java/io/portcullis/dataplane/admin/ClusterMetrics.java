package io.portcullis.dataplane.admin;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.health.EndpointState;
import io.portcullis.dataplane.health.HealthCheckService;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.resilience.Overflow;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Per-cluster and per-endpoint upstream metrics, read from the live clusters at scrape time: the
 * request path pays nothing for them beyond the counters the endpoints keep anyway.
 *
 * <p>Cardinality: the {@code endpoint} label appears only on the {@code portcullis_endpoint_*}
 * series, and only for endpoints in the current config; an endpoint that leaves its cluster drops
 * its series at the next scrape. Cluster series carry the cluster name only (plus a bounded {@code
 * state} on {@code portcullis_cluster_endpoints}). Upstream latency per cluster is the histogram
 * {@code portcullis_upstream_latency_seconds} of {@link ProxyMetrics}.
 *
 * <p>Counters restart from zero when a cluster's policy changes (its state is rebuilt), which
 * Prometheus reads as a counter reset.
 */
public final class ClusterMetrics {
  private final Supplier<RuntimeConfig> config;
  private final HealthCheckService health;

  private ClusterMetrics(Supplier<RuntimeConfig> config, HealthCheckService health) {
    this.config = config;
    this.health = health;
  }

  /**
   * Registers the metrics.
   *
   * @param health the health checker whose failure counts to show, or null
   */
  public static void register(
      PrometheusRegistry registry, Supplier<RuntimeConfig> config, HealthCheckService health) {
    new ClusterMetrics(config, health).registerAll(registry);
  }

  private void registerAll(PrometheusRegistry registry) {
    clusterCounter(registry, "portcullis_cluster_upstream_requests",
        "Requests (tries) to the cluster's endpoints that ended, by cluster",
        c -> c.outliers().requests());
    clusterCounter(registry, "portcullis_cluster_upstream_errors",
        "Tries that failed (connect failure, reset, timeout, 5xx), by cluster",
        c -> c.outliers().failures());
    GaugeWithCallback.builder()
        .name("portcullis_cluster_active_requests")
        .help("Requests in flight to the cluster's endpoints, by cluster")
        .labelNames("cluster")
        .callback(cb -> eachCluster(c -> cb.call(
            c.endpoints().stream().mapToInt(UpstreamEndpoint::activeRequests).sum(), c.name())))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_cluster_endpoints")
        .help("Endpoints by cluster and state (healthy, unhealthy, ejected, terminating)")
        .labelNames("cluster", "state")
        .callback(cb -> eachCluster(c -> {
          long now = System.nanoTime();
          int[] counts = new int[EndpointState.values().length];
          for (UpstreamEndpoint e : c.endpoints()) {
            counts[EndpointState.of(e, now).ordinal()]++;
          }
          for (EndpointState s : EndpointState.values()) {
            cb.call(counts[s.ordinal()], c.name(), s.label());
          }
        }))
        .register(registry);

    GaugeWithCallback.builder()
        .name("portcullis_cluster_circuit_breaker_in_use")
        .help("Slots of each circuit breaker taken (connections, pending requests, requests,"
            + " retries in flight), by cluster and limit")
        .labelNames("cluster", "limit")
        .callback(cb -> eachCluster(c -> {
          for (Overflow limit : Overflow.values()) {
            cb.call(c.limits().inUse(limit), c.name(), limit.value());
          }
        }))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_cluster_circuit_breaker_open")
        .help("1 while a circuit breaker is full and refuses what it guards, else 0")
        .labelNames("cluster", "limit")
        .callback(cb -> eachCluster(c -> {
          for (Overflow limit : Overflow.values()) {
            cb.call(c.limits().open(limit) ? 1 : 0, c.name(), limit.value());
          }
        }))
        .register(registry);

    endpointCounter(registry, "portcullis_endpoint_requests",
        "Requests sent to the endpoint", UpstreamEndpoint::requests);
    endpointCounter(registry, "portcullis_endpoint_errors",
        "Requests to the endpoint that failed", UpstreamEndpoint::failures);
    endpointCounter(registry, "portcullis_endpoint_ejections",
        "Times outlier detection ejected the endpoint", UpstreamEndpoint::ejections);
    endpointCounter(registry, "portcullis_endpoint_health_check_failures",
        "Active health checks of the endpoint that failed",
        e -> health == null ? 0 : health.checkFailures(e));
    endpointGauge(registry, "portcullis_endpoint_active_requests",
        "Requests in flight to the endpoint", UpstreamEndpoint::activeRequests);
    endpointGauge(registry, "portcullis_endpoint_ejected",
        "1 while outlier detection has the endpoint ejected, else 0",
        e -> e.ejected(System.nanoTime()) ? 1 : 0);
    endpointGauge(registry, "portcullis_endpoint_healthy",
        "1 while the endpoint passes its active health checks (always 1 without checks), else 0",
        e -> e.activeHealthy() ? 1 : 0);
  }

  private void clusterCounter(PrometheusRegistry registry, String name, String help,
      ToDoubleFunction<ClusterRuntime> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("cluster")
        .callback(cb -> eachCluster(c -> cb.call(value.applyAsDouble(c), c.name())))
        .register(registry);
  }

  private void endpointCounter(PrometheusRegistry registry, String name, String help,
      ToDoubleFunction<UpstreamEndpoint> value) {
    CounterWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("cluster", "endpoint")
        .callback(cb -> eachCluster(c -> {
          for (UpstreamEndpoint e : c.endpoints()) {
            cb.call(value.applyAsDouble(e), c.name(), e.toString());
          }
        }))
        .register(registry);
  }

  private void endpointGauge(PrometheusRegistry registry, String name, String help,
      ToDoubleFunction<UpstreamEndpoint> value) {
    GaugeWithCallback.builder()
        .name(name)
        .help(help)
        .labelNames("cluster", "endpoint")
        .callback(cb -> eachCluster(c -> {
          for (UpstreamEndpoint e : c.endpoints()) {
            cb.call(value.applyAsDouble(e), c.name(), e.toString());
          }
        }))
        .register(registry);
  }

  private void eachCluster(Consumer<ClusterRuntime> action) {
    RuntimeConfig current = config.get();
    if (current != null) {
      current.clusters().forEach(action);
    }
  }
}
