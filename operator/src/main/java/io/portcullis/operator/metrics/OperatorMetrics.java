package io.portcullis.operator.metrics;

import io.portcullis.snapshot.Snapshot;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.SnapshotCodec;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import java.util.Map;
import java.util.TreeMap;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.time.Duration;
import java.util.function.ToLongFunction;

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
          .help("Status writes to the API server, by kind (Ingress, ProxyRoute) and result (ok,"
              + " error)")
          .labelNames("kind", "result")
          .register(registry);

  /**
   * The snapshot's size is measured when scraped, once per version: encoding the whole snapshot
   * on every publish (12 MiB at 10,000 Ingresses) was most of the rebuild loop's CPU per change
   * and most of the operator's garbage.
   */
  private final ToLongFunction<Snapshot> sizeOf;
  private volatile Snapshot lastPublished;
  private volatile SnapshotSize measured;

  private record SnapshotSize(String version, long bytes) {}

  {
    GaugeWithCallback.builder()
        .name("portcullis_operator_snapshot_bytes")
        .help("Size of the published snapshot as JSON (what a full snapshot costs on the wire)")
        .callback(cb -> {
          Snapshot published = lastPublished;
          if (published != null) {
            cb.call(sizeOf(published));
          }
        })
        .register(registry);
  }

  public OperatorMetrics() {
    this(SnapshotCodec::jsonLength);
  }

  /** With how a snapshot's size is measured (tests count the measurements). */
  OperatorMetrics(ToLongFunction<Snapshot> sizeOf) {
    this.sizeOf = sizeOf;
  }

  private long sizeOf(Snapshot snapshot) {
    SnapshotSize known = measured;
    if (known == null || !known.version().equals(snapshot.version())) {
      known = new SnapshotSize(snapshot.version(), sizeOf.applyAsLong(snapshot));
      measured = known;
    }
    return known.bytes();
  }

  private final Histogram propagationSeconds =
      Histogram.builder()
          .name("portcullis_operator_propagation_seconds")
          .help("From the cluster change that triggered a rebuild to the last connected"
              + " dataplane's ack of the new version")
          .classicUpperBounds(
              0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
          .register(registry);

  private PropagationTracker propagation;

  private final Counter compileErrors =
      Counter.builder()
          .name("portcullis_operator_compile_errors_total")
          .help("Compiles that failed; the previous snapshot stayed live")
          .register(registry);

  {
    // Known series exist at 0 from the start, so rates and alerts work before the first write.
    for (String kind : java.util.List.of("Ingress", "ProxyRoute")) {
      statusWrites.initLabelValues(kind, "ok");
      statusWrites.initLabelValues(kind, "error");
    }
    // The standard jvm_* and process_* metrics (memory, GC, threads, CPU, open files).
    JvmMetrics.builder().register(registry);
  }

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

  /** One status write and whether the API server took it. */
  public void statusWritten(String kind, boolean ok) {
    statusWrites.labelValues(kind, ok ? "ok" : "error").inc();
  }

  /**
   * Reads the store's dataplane state at scrape time: connected dataplanes, how many serve each
   * version, NACKs; and measures propagation from its ack events. Call once.
   */
  public void follow(SnapshotStore store) {
    GaugeWithCallback.builder()
        .name("portcullis_operator_connected_dataplanes")
        .help("Dataplanes with an open snapshot stream")
        .callback(cb -> cb.call(store.connectedCount()))
        .register(registry);
    GaugeWithCallback.builder()
        .name("portcullis_operator_dataplanes_acked")
        .help("Connected dataplanes by the snapshot version they acked")
        .labelNames("version")
        .callback(cb -> {
          Map<String, Integer> counts = new TreeMap<>();
          store.ackedVersions().values().forEach(v -> counts.merge(v, 1, Integer::sum));
          counts.forEach((version, n) -> cb.call(n, version));
        })
        .register(registry);
    CounterWithCallback.builder()
        .name("portcullis_operator_nacks")
        .help("Snapshots rejected by dataplanes (NACKs) since start")
        .callback(cb -> cb.call(store.nackCount()))
        .register(registry);
    propagation = new PropagationTracker(store, System::nanoTime, propagationSeconds::observe);
    store.onAck(propagation::acksChanged);
  }

  /**
   * A version different from the previous one was published.
   *
   * @param changedAtNanos {@link System#nanoTime()} of the first change the rebuild included
   */
  public void published(Snapshot snapshot, long changedAtNanos) {
    lastPublished = snapshot;
    if (propagation != null) {
      propagation.published(snapshot.version(), changedAtNanos);
    }
  }
}
