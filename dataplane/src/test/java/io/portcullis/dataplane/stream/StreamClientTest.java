package io.portcullis.dataplane.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.DeltaMsg;
import io.portcullis.snapshot.StreamMessage.Hello;
import io.portcullis.snapshot.StreamMessage.Nack;
import io.portcullis.snapshot.StreamMessage.SnapshotMsg;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The stream client against a scripted operator on a loopback socket. */
class StreamClientTest {
  private final LiveConfig config = new LiveConfig();
  private FakeOperator operator;
  private StreamClient client;

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (operator != null) {
      operator.close();
    }
  }

  private static Snapshot v(int port) {
    return Snapshot.of(List.of(), List.of(new Cluster("c", List.of(new Endpoint("10.0.0.1", port)))), null);
  }

  private void startClient(int port) {
    startClient(port, ConfigApplier.of(config));
  }

  private void startClient(int port, ConfigApplier applier) {
    client = new StreamClient(URI.create("http://127.0.0.1:" + port), "node-a", config,
        new ProxyMetrics(),
        StreamClientSettings.defaults().withBackoff(Duration.ofMillis(10), Duration.ofMillis(100)),
        applier);
    client.start();
  }

  @Test
  void aDeltaReachesTheConfigWithTheDeltaItself() throws Exception {
    // The config looks only at what the delta names when it gets the delta (LiveConfig#apply).
    List<Delta> handedOn = new java.util.concurrent.CopyOnWriteArrayList<>();
    ConfigApplier live = ConfigApplier.of(config);
    operator = new FakeOperator(0);
    startClient(operator.port(), new ConfigApplier() {
      @Override
      public void apply(Snapshot snapshot) {
        live.apply(snapshot);
      }

      @Override
      public void apply(Snapshot snapshot, Delta delta) {
        handedOn.add(delta);
        live.apply(snapshot, delta);
      }
    });
    assertInstanceOf(Hello.class, operator.next());
    operator.send(new SnapshotMsg("n1", v(1)));
    assertEquals(new Ack(v(1).version(), "n1"), operator.next());
    assertEquals(List.of(), handedOn);

    Delta delta = Delta.between(v(1), v(2));
    operator.send(new DeltaMsg("n2", delta));
    assertEquals(new Ack(v(2).version(), "n2"), operator.next());
    assertEquals(List.of(delta), handedOn);
    assertEquals(v(2), config.current().snapshot());
  }

  @Test
  void theFirstHelloCarriesNoVersionAndEachSnapshotIsAckedWithItsNonce() throws Exception {
    operator = new FakeOperator(0);
    startClient(operator.port());
    Hello hello = assertInstanceOf(Hello.class, operator.next());
    assertEquals("node-a", hello.nodeId());
    assertNull(hello.version());
    assertEquals(1, hello.protocol());

    operator.send(new SnapshotMsg("n1", v(1)));
    assertEquals(new Ack(v(1).version(), "n1"), operator.next());
    assertEquals(v(1), config.current().snapshot());

    operator.send(new DeltaMsg("n2", Delta.between(v(1), v(2))));
    assertEquals(new Ack(v(2).version(), "n2"), operator.next());
    assertEquals(v(2), config.current().snapshot());
  }

  @Test
  void aDeltaBeforeAnySnapshotIsNackedAndNothingIsApplied() throws Exception {
    operator = new FakeOperator(0);
    startClient(operator.port());
    operator.next();
    operator.send(new DeltaMsg("n1", Delta.between(v(1), v(2))));
    Nack nack = assertInstanceOf(Nack.class, operator.next());
    assertEquals("n1", nack.nonce());
    assertEquals(v(2).version(), nack.version());
    assertNull(config.current());
  }

  @Test
  void aReconnectingClientsHelloNamesTheVersionItServes() throws Exception {
    operator = new FakeOperator(0);
    int port = operator.port();
    startClient(port);
    operator.next();
    operator.send(new SnapshotMsg("n1", v(1)));
    operator.next();

    operator.close();
    await().until(() -> !client.isConnected());
    assertEquals(v(1), config.current().snapshot(), "the last good config keeps serving");

    operator = new FakeOperator(port);
    Hello hello = assertInstanceOf(Hello.class, operator.next());
    assertEquals(v(1).version(), hello.version());
    await().until(() -> client.connectionsEstablished() == 2);
  }

  @Test
  void garbageFromTheOperatorMakesTheClientReconnectAndKeepItsConfig() throws Exception {
    operator = new FakeOperator(0);
    startClient(operator.port());
    operator.next();
    operator.send(new SnapshotMsg("n1", v(1)));
    operator.next();

    byte[] json = "{oops".getBytes(java.nio.charset.StandardCharsets.UTF_8);
    operator.sendBytes(ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array());

    Hello again = assertInstanceOf(Hello.class, operator.next());
    assertEquals(v(1).version(), again.version());
    assertEquals(v(1), config.current().snapshot());
  }

  @Test
  void anOperatorThatRefusesTheStreamIsRetried() throws Exception {
    operator = new FakeOperator(0);
    operator.status = "404";
    startClient(operator.port());
    // Each refused attempt still sends its hello; the client keeps coming back.
    operator.next();
    operator.next();
    assertTrue(!client.isConnected());
    operator.status = "200";
    await().until(client::isConnected);
  }

  @Test
  void anUnreachableOperatorIsRetriedUntilItAppears() throws Exception {
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    startClient(port);
    await().during(Duration.ofMillis(300)).until(() -> !client.isConnected());
    operator = new FakeOperator(port);
    assertInstanceOf(Hello.class, operator.next());
    await().until(client::isConnected);
  }

  @Test
  void anOperatorThatStopsAnsweringIsDroppedByTheKeepaliveAndRedialled() throws Exception {
    // Accepts TCP connections and never says a word: no SETTINGS, no PING acks, no response.
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50,
        java.net.InetAddress.getLoopbackAddress())) {
      java.util.concurrent.atomic.AtomicInteger accepted = new java.util.concurrent.atomic.AtomicInteger();
      List<java.net.Socket> sockets = new java.util.concurrent.CopyOnWriteArrayList<>();
      Thread acceptor = new Thread(() -> {
        try {
          while (true) {
            sockets.add(silent.accept());
            accepted.incrementAndGet();
          }
        } catch (java.io.IOException closed) {
          // test over
        }
      });
      acceptor.start();
      client = new StreamClient(URI.create("http://127.0.0.1:" + silent.getLocalPort()), "node-a",
          config, new ProxyMetrics(),
          StreamClientSettings.defaults()
              .withBackoff(Duration.ofMillis(10), Duration.ofMillis(50))
              .withKeepalive(Duration.ofMillis(100)),
          ConfigApplier.of(config));
      client.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> accepted.get() >= 2);
      silent.close();
      acceptor.join(5_000);
      for (java.net.Socket socket : sockets) {
        socket.close();
      }
    }
  }

  @Test
  void onlyHttpAndHttpsControlPlanesAreAccepted() {
    assertThrows(IllegalArgumentException.class, () -> new StreamClient(
        URI.create("ftp://127.0.0.1:1"), "n", config, new ProxyMetrics()));
    assertThrows(IllegalArgumentException.class, () -> new StreamClient(
        URI.create("https://127.0.0.1:1"), "n", config, new ProxyMetrics()));
  }
}
