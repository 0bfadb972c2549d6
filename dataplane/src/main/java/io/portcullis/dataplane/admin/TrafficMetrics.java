package io.portcullis.dataplane.admin;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;

/**
 * Traffic metrics beside {@link ProxyMetrics}, in the same registry: bytes on client connections
 * (as on the wire, so TLS records included) and access log lines dropped because its writer fell
 * behind.
 */
public final class TrafficMetrics {
  private final CounterDataPoint received;
  private final CounterDataPoint sent;
  private final CounterDataPoint accessLogDropped;

  public TrafficMetrics(ProxyMetrics metrics) {
    var registry = metrics.registry();
    received = Counter.builder()
        .name("portcullis_downstream_received_bytes")
        .help("Bytes read from client connections (TLS included)")
        .register(registry)
        .labelValues();
    sent = Counter.builder()
        .name("portcullis_downstream_sent_bytes")
        .help("Bytes written to client connections (TLS included)")
        .register(registry)
        .labelValues();
    accessLogDropped = Counter.builder()
        .name("portcullis_access_log_dropped")
        .help("Access log entries dropped because the writer fell behind")
        .register(registry)
        .labelValues();
  }

  public void received(long bytes) {
    received.inc(bytes);
  }

  public void sent(long bytes) {
    sent.inc(bytes);
  }

  public void accessLogDropped() {
    accessLogDropped.inc();
  }
}
