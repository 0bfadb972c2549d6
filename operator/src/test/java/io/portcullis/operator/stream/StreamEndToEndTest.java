package io.portcullis.operator.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.ConfigApplier;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.dataplane.stream.StreamClientSettings;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StreamMessage;
import io.portcullis.snapshot.StreamMessage.DeltaMsg;
import io.portcullis.snapshot.StreamMessage.SnapshotMsg;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The real stream server and the real dataplane stream client over a loopback socket. */
class StreamEndToEndTest {
  private static final String NODE = "node-a";

  private SnapshotStore store = new SnapshotStore();
  private StreamServer server;
  private int port;
  private final LiveConfig config = new LiveConfig();
  private final List<StreamMessage> received = new CopyOnWriteArrayList<>();
  private StreamClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void theFirstSnapshotIsAppliedAndAckedAndThenProgrammedEverywhere() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    startServer(0);
    assertFalse(store.isProgrammedEverywhere(v1.version()), "no dataplane connected yet");

    startClient(ConfigApplier.of(config));

    await().until(() -> store.isProgrammedEverywhere(v1.version()));
    assertEquals(v1, config.current().snapshot());
    assertEquals(java.util.Map.of(NODE, v1.version()), store.ackedVersions());
    assertEquals(1, store.connectedCount());
    assertInstanceOf(SnapshotMsg.class, received.get(0));
  }

  @Test
  void aLaterChangeArrivesAsADelta() throws Exception {
    connectedAt(Snapshots.shop(8080));
    Snapshot v2 = Snapshots.shopAndApi(8080);
    store.publish(v2);

    await().until(() -> store.isProgrammedEverywhere(v2.version()));
    assertEquals(v2, config.current().snapshot());
    assertEquals(2, received.size());
    Delta delta = assertInstanceOf(DeltaMsg.class, received.get(1)).delta();
    assertEquals(List.of("api.example.com"),
        delta.upsertVirtualHosts().stream().map(v -> v.host()).toList());
  }

  @Test
  void anEndpointOnlyChangeTravelsAsADeltaOfClustersAlone() throws Exception {
    connectedAt(Snapshots.shop(8080));
    Snapshot v2 = Snapshots.shop(8080, 8081);
    store.publish(v2);

    await().until(() -> v2.version().equals(config.current().version()));
    Delta delta = assertInstanceOf(DeltaMsg.class, received.get(1)).delta();
    assertTrue(delta.isEndpointOnly());
    assertEquals(List.of("default/shop:80"),
        delta.upsertClusters().stream().map(c -> c.name()).toList());
    assertTrue(delta.upsertVirtualHosts().isEmpty());
  }

  @Test
  void theDataplaneKeepsItsConfigWhileTheOperatorIsDownAndResumesWithoutAResend()
      throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    connectedAt(v1);
    server.close();
    await().until(() -> !client.isConnected());
    assertEquals(v1, config.current().snapshot(), "the last good config keeps serving");

    // A restarted operator: a new store that compiled the same content, so the same version.
    store = new SnapshotStore();
    store.publish(Snapshots.shop(8080));
    startServer(port);
    await().until(() -> client.connectionsEstablished() == 2);
    await().until(() -> store.isProgrammedEverywhere(v1.version()));

    Snapshot v2 = Snapshots.shop(8081);
    store.publish(v2);
    await().until(() -> v2.version().equals(config.current().version()));
    // Had v1 been resent after the reconnect, it would have arrived before the v2 delta.
    assertEquals(2, received.size());
    assertEquals(v1.version(), ((DeltaMsg) received.get(1)).delta().baseVersion());
  }

  @Test
  void aSnapshotTheDataplaneRejectsIsNackedCountedAndTheOldConfigStays() throws Exception {
    ProxyMetricsProbe metrics = new ProxyMetricsProbe();
    ConfigApplier rejectsPoison = snapshot -> {
      if (snapshot.clustersByName().containsKey("default/poison:80")) {
        throw new ConfigRejectedException(
            "cluster default/poison:80 cannot be served", List.of("cluster/default/poison:80"));
      }
      config.apply(snapshot);
    };
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    startServer(0);
    startClient(rejectsPoison, metrics.metrics);
    await().until(() -> store.isProgrammedEverywhere(v1.version()));

    Snapshot poisoned = Snapshots.withCluster("default/poison:80");
    store.publish(poisoned);
    await().until(() -> store.nackCount() == 1);

    SnapshotStore.Nack nack = store.dataplane(NODE).orElseThrow().lastNack();
    assertEquals(poisoned.version(), nack.version());
    assertEquals(List.of("cluster/default/poison:80"), nack.resources());
    assertEquals(v1, config.current().snapshot());
    assertEquals(v1.version(), store.ackedVersions().get(NODE));
    assertFalse(store.isProgrammedEverywhere(poisoned.version()));
    assertEquals(1.0, metrics.rejected());

    Snapshot v3 = Snapshots.shop(9090);
    store.publish(v3);
    await().until(() -> store.isProgrammedEverywhere(v3.version()));
    assertEquals(1, store.nackCount());
  }

  @Test
  void aDeltaOnAWrongBaseIsNackedAndTheNextVersionArrivesWhole() throws Exception {
    connectedAt(Snapshots.shop(8080));
    // Something swapped the dataplane's config behind the operator's back.
    Snapshot drifted = Snapshots.shop(7070);
    config.apply(drifted);

    store.publish(Snapshots.shop(8081));
    await().until(() -> store.nackCount() == 1);
    assertTrue(store.dataplane(NODE).orElseThrow().lastNack().error().contains("based on"));
    assertEquals(drifted, config.current().snapshot(), "the rejected delta changed nothing");

    Snapshot v3 = Snapshots.shop(8082);
    store.publish(v3);
    await().until(() -> v3.version().equals(config.current().version()));
    assertInstanceOf(SnapshotMsg.class, received.get(received.size() - 1));
  }

  @Test
  void aSnapshotOfSeveralMegabytesIsApplied() throws Exception {
    Snapshot big = Snapshots.large(3 * 1024 * 1024);
    store.publish(big);
    startServer(0);
    startClient(ConfigApplier.of(config));
    await().atMost(Duration.ofSeconds(20)).until(() -> store.isProgrammedEverywhere(big.version()));
    assertEquals(big, config.current().snapshot());
  }

  private void connectedAt(Snapshot snapshot) throws Exception {
    store.publish(snapshot);
    startServer(0);
    startClient(ConfigApplier.of(config));
    await().until(() -> store.isProgrammedEverywhere(snapshot.version()));
  }

  private void startServer(int bindPort) throws Exception {
    server = new StreamServer(store, new InetSocketAddress("127.0.0.1", bindPort));
    port = server.start();
  }

  private void startClient(ConfigApplier applier) {
    startClient(applier, new ProxyMetrics());
  }

  private void startClient(ConfigApplier applier, ProxyMetrics metrics) {
    StreamClientSettings settings = StreamClientSettings.defaults()
        .withBackoff(Duration.ofMillis(10), Duration.ofMillis(200));
    client = new StreamClient(
        URI.create("http://127.0.0.1:" + port), NODE, config, metrics, settings, applier);
    client.onMessage(received::add);
    client.start();
  }

  /** Reads the dataplane's rejection counter the way Prometheus would. */
  private static final class ProxyMetricsProbe {
    final ProxyMetrics metrics = new ProxyMetrics();

    double rejected() {
      return metrics.registry().scrape().stream()
          .filter(m -> m.getMetadata().getPrometheusName().equals("portcullis_snapshots_rejected"))
          .flatMap(m -> m.getDataPoints().stream())
          .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue())
          .sum();
    }
  }
}
