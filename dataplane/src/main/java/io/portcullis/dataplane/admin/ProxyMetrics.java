package io.portcullis.dataplane.admin;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The dataplane's metrics. The proxy calls the recording methods from event loops (they are
 * lock-free); the admin server serves {@link #registry()} in the Prometheus text format.
 */
public final class ProxyMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final Counter requests =
      Counter.builder()
          .name("portcullis_requests")
          .help("Requests answered, by route and status code")
          .labelNames("route", "code")
          .register(registry);

  private final Histogram upstreamLatency =
      Histogram.builder()
          .name("portcullis_upstream_latency_seconds")
          .help("Time from sending a request upstream to the response headers, by cluster")
          .labelNames("cluster")
          .classicUpperBounds(
              0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)
          .register(registry);

  private final Gauge activeConnections =
      Gauge.builder()
          .name("portcullis_downstream_active_connections")
          .help("Open client connections")
          .register(registry);

  private final Info snapshotVersion =
      Info.builder()
          .name("portcullis_snapshot")
          .help("The applied snapshot version")
          .labelNames("version")
          .register(registry);

  private final Counter snapshotsApplied =
      Counter.builder()
          .name("portcullis_snapshots_applied")
          .help("Snapshots and deltas applied")
          .register(registry);

  private final Counter snapshotsRejected =
      Counter.builder()
          .name("portcullis_snapshots_rejected")
          .help("Snapshots and deltas rejected (NACKed)")
          .register(registry);

  private final Counter tlsHandshakes =
      Counter.builder()
          .name("portcullis_tls_handshakes")
          .help("TLS handshakes on the HTTPS listener, by result (ok, failed, no_certificate) and"
              + " protocol version")
          .labelNames("result", "protocol")
          .register(registry);

  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * One answered request.
   *
   * @param route the route name, or {@code none} when no route matched
   * @param status the status code sent to the client
   */
  public void requestCompleted(String route, int status) {
    requests.labelValues(route, Integer.toString(status)).inc();
  }

  /** Upstream latency of one request, from request sent to response headers received. */
  public void upstreamLatency(String cluster, long nanos) {
    upstreamLatency.labelValues(cluster).observe(nanos / 1e9);
  }

  public void connectionOpened() {
    activeConnections.inc();
  }

  public void connectionClosed() {
    activeConnections.dec();
  }

  public void snapshotApplied(String version) {
    snapshotVersion.setLabelValues(version);
    snapshotsApplied.inc();
  }

  public void snapshotRejected() {
    snapshotsRejected.inc();
  }

  /**
   * One TLS handshake ended.
   *
   * @param result {@code ok}, {@code failed}, or {@code no_certificate} (SNI matched nothing and
   *     there is no default certificate)
   * @param protocol {@code TLSv1.3}, {@code TLSv1.2}, or {@code none} when none was agreed
   */
  public void tlsHandshake(String result, String protocol) {
    tlsHandshakes.labelValues(result, protocol).inc();
  }
}
