package io.portcullis.operator.it;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import io.portcullis.operator.replicas.ClusterAcks;
import io.portcullis.operator.replicas.ReplicaAckPublisher;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Operator replicas on the mock API server, wired as {@code ClusterOperator} wires them (each
 * publishes its dataplanes' acks on its Lease and counts the others'), with fast ack timings, and
 * in-process dataplanes connected to them. Closes everything it started, last first.
 */
final class Replicas implements AutoCloseable {
  static final String SYSTEM = "portcullis-system";
  static final String LEASE = "portcullis-portcullis-leader";
  private static final ReplicaAckPublisher.Timings FAST = new ReplicaAckPublisher.Timings(
      Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(3));

  private final KubernetesClient client;
  private final List<AutoCloseable> closing = new ArrayList<>();

  Replicas(KubernetesClient client) {
    this.client = client;
  }

  /** A replica named {@code identity}; only a leading one writes statuses. */
  Operator start(String identity, boolean leads) throws Exception {
    Operator operator = closes(ApiServerFixtures.startOperator(client, 0));
    operator.writeStatusOnlyWhile(() -> leads);
    KubernetesClient replicaClient = ChartGrantsEveryRequest.operatorClient(client);
    ReplicaAckPublisher publisher = closes(new ReplicaAckPublisher(
        replicaClient, SYSTEM, LEASE, identity, operator.store(), FAST, Clock.systemUTC()));
    publisher.start();
    ClusterAcks acks = closes(new ClusterAcks(
        replicaClient, SYSTEM, LEASE, identity, operator.store(), Clock.systemUTC()));
    operator.countAcrossReplicas(acks);
    acks.start();
    return operator;
  }

  /** A dataplane named {@code nodeId} applying what {@code operator} streams into {@code config}. */
  StreamClient dataplane(Operator operator, String nodeId, LiveConfig config) {
    StreamClient dataplane = closes(new StreamClient(
        URI.create("http://127.0.0.1:" + operator.snapshotPort()), nodeId, config, new ProxyMetrics()));
    dataplane.start();
    return dataplane;
  }

  /** Closes {@code c} with the rest. */
  <T extends AutoCloseable> T closes(T c) {
    closing.add(c);
    return c;
  }

  @Override
  public void close() {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort: the next one still closes
      }
    }
    closing.clear();
  }
}
