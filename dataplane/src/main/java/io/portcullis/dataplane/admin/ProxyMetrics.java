package io.portcullis.dataplane.admin;

import io.portcullis.dataplane.resilience.ResilienceMetrics;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.datapoints.DistributionDataPoint;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The dataplane's metrics. The proxy calls the recording methods from event loops (they are
 * lock-free); the admin server serves {@link #registry()} in the Prometheus text format.
 *
 * <p>The per-request methods look their data point up in small caches keyed by route (then status)
 * and cluster name instead of calling {@code labelValues(...)} each time: that lookup builds a
 * label list, hashes it and formats the status code for every request. The caches hold only names
 * that carried traffic and are dropped on every applied snapshot, so routes that were removed do
 * not pin memory (their series stay in the registry, as before).
 */
public final class ProxyMetrics {
  private final PrometheusRegistry registry = new PrometheusRegistry();

  private final ResilienceMetrics resilience = new ResilienceMetrics(registry);

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
          // Classic buckets only: the text format we serve never shows native buckets, and keeping
          // them cost a map lookup per observation.
          .classicOnly()
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

  private final Counter http2GoAways =
      Counter.builder()
          .name("portcullis_http2_goaway")
          .help("HTTP/2 client connections ended with GOAWAY, by reason: flood (a client exceeded a"
              + " reset, control-frame or similar bound: ENHANCE_YOUR_CALM), header_timeout (a"
              + " request's header block took longer than the header-read timeout), protocol_error,"
              + " idle, drain")
          .labelNames("reason")
          .register(registry);

  {
    // Series whose label values are known up front exist at 0 from the start, so a rate() or an
    // alert on them works before the first event, and a dashboard shows 0 rather than nothing.
    tlsHandshakes.initLabelValues("ok", "TLSv1.3");
    tlsHandshakes.initLabelValues("ok", "TLSv1.2");
    tlsHandshakes.initLabelValues("failed", "none");
    tlsHandshakes.initLabelValues("no_certificate", "none");
    for (String reason : List.of("flood", "header_timeout", "protocol_error", "idle", "drain")) {
      http2GoAways.initLabelValues(reason);
    }
    // The standard jvm_* and process_* metrics (memory, GC, threads, CPU, open files).
    JvmMetrics.builder().register(registry);
  }

  /** Data points by route name; see the class comment. */
  private final ConcurrentHashMap<String, RouteCounters> requestCounters = new ConcurrentHashMap<>();

  private final ConcurrentHashMap<String, DistributionDataPoint> latencyPoints =
      new ConcurrentHashMap<>();

  public PrometheusRegistry registry() {
    return registry;
  }

  /** Retries, timeouts, tripped circuit breakers and mirroring, per cluster. */
  public ResilienceMetrics resilience() {
    return resilience;
  }

  /**
   * One answered request.
   *
   * @param route the route name, or {@code none} when no route matched
   * @param status the status code sent to the client
   */
  public void requestCompleted(String route, int status) {
    RouteCounters counters = requestCounters.get(route);
    if (counters == null) {
      counters = requestCounters.computeIfAbsent(route, RouteCounters::new);
    }
    counters.forStatus(status).inc();
  }

  /** Upstream latency of one request, from request sent to response headers received. */
  public void upstreamLatency(String cluster, long nanos) {
    DistributionDataPoint point = latencyPoints.get(cluster);
    if (point == null) {
      point = latencyPoints.computeIfAbsent(cluster, upstreamLatency::labelValues);
    }
    point.observe(nanos / 1e9);
  }

  public void connectionOpened() {
    activeConnections.inc();
  }

  public void connectionClosed() {
    activeConnections.dec();
  }

  /** An HTTP/2 connection got GOAWAY; {@code reason} as in the metric's help. */
  public void http2GoAway(String reason) {
    http2GoAways.labelValues(reason).inc();
  }

  public void snapshotApplied(String version) {
    requestCounters.clear();
    latencyPoints.clear();
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

  /**
   * The request counters of one route, by status code. A route sees a handful of distinct codes, so
   * a copy-on-write array scanned linearly beats any map.
   */
  private final class RouteCounters {
    private record Entry(int status, CounterDataPoint point) {}

    private final String route;
    private volatile Entry[] entries = new Entry[0];

    RouteCounters(String route) {
      this.route = route;
    }

    CounterDataPoint forStatus(int status) {
      for (Entry e : entries) {
        if (e.status == status) {
          return e.point;
        }
      }
      return add(status);
    }

    private synchronized CounterDataPoint add(int status) {
      Entry[] current = entries;
      for (Entry e : current) {
        if (e.status == status) {
          return e.point;
        }
      }
      CounterDataPoint point = requests.labelValues(route, Integer.toString(status));
      Entry[] next = Arrays.copyOf(current, current.length + 1);
      next[current.length] = new Entry(status, point);
      entries = next;
      return point;
    }
  }
}
