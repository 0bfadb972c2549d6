package io.portcullis.operator.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.SnapshotCodec;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
  private static String scrape(OperatorMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, metrics.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static double value(String text, String sample) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(sample) + " (\\S+)$").matcher(text);
    return m.find() ? Double.parseDouble(m.group(1)) : -1;
  }

  @Test
  void countersExistAtZeroAndJvmAndProcessMetricsAreThereFromTheStart() throws Exception {
    String text = scrape(new OperatorMetrics());
    assertEquals(0, value(text, "portcullis_operator_status_writes_total{kind=\"ProxyRoute\",result=\"error\"}"));
    assertEquals(0, value(text, "portcullis_operator_compile_errors_total"));
    assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(text.contains("process_cpu_seconds_total"), "process metrics");
  }

  @Test
  void dataplanesAcksNacksAndSnapshotSizeAreReadFromTheStore() throws Exception {
    SnapshotStore store = new SnapshotStore();
    OperatorMetrics metrics = new OperatorMetrics();
    metrics.follow(store);
    Snapshot snapshot = Snapshot.empty();
    store.publish(snapshot);
    store.connected("a", null);
    store.connected("b", null);
    metrics.published(snapshot, System.nanoTime());
    store.recordAck("a", snapshot.version());
    store.recordNack("b", snapshot.version(), "bad", List.of("route x"));

    String text = scrape(metrics);
    assertEquals(2, value(text, "portcullis_operator_connected_dataplanes"), text);
    assertEquals(1, value(text,
        "portcullis_operator_dataplanes_acked{version=\"" + snapshot.version() + "\"}"), text);
    assertEquals(1, value(text, "portcullis_operator_nacks_total"), text);
    assertEquals(SnapshotCodec.toJson(snapshot).length,
        value(text, "portcullis_operator_snapshot_bytes"), text);
    assertEquals(0, value(text, "portcullis_operator_propagation_seconds_count"),
        "b has not acked: not served everywhere yet");

    store.recordAck("b", snapshot.version());
    assertEquals(1, value(scrape(metrics), "portcullis_operator_propagation_seconds_count"));
  }

  @Test
  void theSnapshotSizeIsMeasuredWhenScrapedOncePerVersionNotOnPublish() throws Exception {
    List<String> measured = new CopyOnWriteArrayList<>();
    OperatorMetrics metrics = new OperatorMetrics(s -> {
      measured.add(s.version());
      return SnapshotCodec.jsonLength(s);
    });
    metrics.follow(new SnapshotStore());
    Snapshot empty = Snapshot.empty();
    Snapshot other = Snapshot.of(List.of(), List.of(new io.portcullis.snapshot.Cluster("default/web:80",
        List.of(new io.portcullis.snapshot.Endpoint("10.0.0.1", 8080)))), null);
    for (int i = 0; i < 5; i++) {
      metrics.published(i % 2 == 0 ? empty : other, System.nanoTime());
    }
    assertEquals(List.of(), measured, "publishing encodes nothing");
    assertEquals(SnapshotCodec.toJson(empty).length, value(scrape(metrics), "portcullis_operator_snapshot_bytes"));
    assertEquals(SnapshotCodec.toJson(empty).length, value(scrape(metrics), "portcullis_operator_snapshot_bytes"));
    assertEquals(List.of(empty.version()), measured, "one measurement per version");
    metrics.published(other, System.nanoTime());
    assertEquals(SnapshotCodec.toJson(other).length, value(scrape(metrics), "portcullis_operator_snapshot_bytes"));
  }

  @Test
  void propagationIsMeasuredFromTheChangeToTheLastAck() {
    SnapshotStore store = new SnapshotStore();
    AtomicLong now = new AtomicLong(1_000_000_000L);
    List<Double> observed = new CopyOnWriteArrayList<>();
    PropagationTracker tracker = new PropagationTracker(store, now::get, observed::add);
    store.onAck(tracker::acksChanged);
    store.connected("a", null);
    store.connected("b", null);
    Snapshot snapshot = Snapshot.empty();
    store.publish(snapshot);
    tracker.published(snapshot.version(), 800_000_000L); // the change came 200 ms before "now"

    now.addAndGet(50_000_000L);
    store.recordAck("a", snapshot.version());
    assertTrue(observed.isEmpty(), "one dataplane still serves the old version");
    now.addAndGet(50_000_000L);
    store.recordAck("b", snapshot.version());
    assertEquals(List.of(0.3), observed);
    assertEquals(0, tracker.pendingCount());
  }
}
