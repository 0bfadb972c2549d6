package io.portcullis.operator.metrics;

import io.portcullis.snapshot.Snapshot;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;

/**
 * The operator's own metrics, in a registry of their own (not the global default, so tests and
 * several operators in one JVM do not collide).
 */
public final class OperatorMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final Histogram compileSeconds =
      Histogram.builder()
          .name("portcullis_operator_compile_seconds")
          .help("Time to compile cluster state into a snapshot")
          .classicUpperBounds(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
          .register(registry);

  private final Info snapshot =
      Info.builder()
          .name("portcullis_operator_snapshot_info")
          .help("The version of the snapshot the operator publishes")
          .labelNames("version")
          .register(registry);

  private final Gauge routes =
      Gauge.builder()
          .name("portcullis_operator_routes")
          .help("Routes in the published snapshot")
          .register(registry);

  private final Gauge clusters =
      Gauge.builder()
          .name("portcullis_operator_clusters")
          .help("Clusters in the published snapshot")
          .register(registry);

  private final Counter statusWrites =
      Counter.builder()
          .name("portcullis_operator_status_writes_total")
          .help("Status updates written for ProxyRoutes")
          .register(registry);

  private final Counter compileErrors =
      Counter.builder()
          .name("portcullis_operator_compile_errors_total")
          .help("Compiles that failed; the previous snapshot stayed live")
          .register(registry);

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Records one successful compile and the snapshot it produced. */
  public void compiled(Snapshot published, int routeCount, Duration took) {
    compileSeconds.observe(took.toNanos() / 1e9);
    snapshot.setLabelValues(published.version());
    routes.set(routeCount);
    clusters.set(published.clusters().size());
  }

  public void compileFailed() {
    compileErrors.inc();
  }

  public void statusWritten() {
    statusWrites.inc();
  }
}
