package io.portcullis.operator.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StreamMessage;
import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.DeltaMsg;
import io.portcullis.snapshot.StreamMessage.Nack;
import io.portcullis.snapshot.StreamMessage.SnapshotMsg;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stream server against a hand-driven HTTP/2 peer that plays a (mis)behaving dataplane. */
class StreamServerTest {
  private final SnapshotStore store = new SnapshotStore();
  private StreamServer server;
  private TestStreamPeer peer;
  private int port;

  @BeforeEach
  void start() throws Exception {
    server = new StreamServer(store, new InetSocketAddress("127.0.0.1", 0));
    port = server.start();
    peer = new TestStreamPeer(port);
  }

  private int port() {
    return port;
  }

  @AfterEach
  void stop() {
    peer.close();
    server.close();
  }

  @Test
  void aDataplaneWithNothingGetsTheFullSnapshotAndItsAckIsRecorded() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream stream = peer.hello("node-a", null);
    assertEquals("200", stream.status());

    SnapshotMsg msg = assertInstanceOf(SnapshotMsg.class, stream.next());
    assertEquals(v1, msg.snapshot());
    assertFalse(store.isProgrammedEverywhere(v1.version()));

    stream.send(new Ack(v1.version(), msg.nonce()));
    await().until(() -> store.isProgrammedEverywhere(v1.version()));
    assertEquals(java.util.Map.of("node-a", v1.version()), store.ackedVersions());
  }

  @Test
  void dataplanesAtTheSameVersionShareOneEncodingWhichGoesOnceAllAnswered() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream a = peer.hello("node-a", null);
    TestStreamPeer.Stream b = peer.hello("node-b", null);
    TestStreamPeer.Stream c = peer.hello("node-c", null);
    SnapshotMsg toA = (SnapshotMsg) a.next();
    SnapshotMsg toB = (SnapshotMsg) b.next();
    SnapshotMsg toC = (SnapshotMsg) c.next();
    // Each with its own nonce, each the whole snapshot, while one encoding is in flight.
    assertEquals(3, java.util.Set.of(toA.nonce(), toB.nonce(), toC.nonce()).size());
    assertEquals(List.of(v1, v1, v1), List.of(toA.snapshot(), toB.snapshot(), toC.snapshot()));
    assertEquals(1, server.sharedFramesInFlight());

    a.send(new Ack(v1.version(), toA.nonce()));
    b.send(new Nack(v1.version(), toB.nonce(), "cannot", List.of()));
    c.channel.close().sync(); // a dataplane that goes away without an answer
    await().atMost(Duration.ofSeconds(10)).until(() -> server.sharedFramesInFlight() == 0);
  }

  @Test
  void nothingIsStreamedBeforeTheFirstPublish() throws Exception {
    TestStreamPeer.Stream stream = peer.hello("node-a", null);
    assertEquals("200", stream.status());
    await().until(() -> store.connectedCount() == 1);
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    // The first message is the published version: the empty placeholder was never sent.
    assertEquals(v1.version(), ((SnapshotMsg) stream.next()).version());
  }

  @Test
  void aDataplaneHoldingTheCurrentVersionIsSentNothing() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream stream = peer.hello("node-a", v1.version());
    await().until(() -> store.isProgrammedEverywhere(v1.version()));

    Snapshot v2 = Snapshots.shop(8080, 8081);
    store.publish(v2);
    // Had v1 been resent, it would have come first on the ordered stream.
    DeltaMsg delta = assertInstanceOf(DeltaMsg.class, stream.next());
    assertEquals(v1.version(), delta.delta().baseVersion());
    assertEquals(v2.version(), delta.version());
  }

  @Test
  void aDataplaneHoldingARecentVersionGetsADeltaFromIt() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    Snapshot v2 = Snapshots.shopAndApi(8080);
    store.publish(v1);
    store.publish(v2);
    TestStreamPeer.Stream stream = peer.hello("node-a", v1.version());
    DeltaMsg delta = assertInstanceOf(DeltaMsg.class, stream.next());
    assertEquals(v2, delta.delta().applyTo(v1));
  }

  @Test
  void aDataplaneHoldingAnUnknownVersionGetsAFullSnapshot() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream stream = peer.hello("node-a", "0123456789abcdef");
    assertEquals(v1, assertInstanceOf(SnapshotMsg.class, stream.next()).snapshot());
  }

  @Test
  void versionsPublishedWhileAnAckIsOutstandingAreCoalescedIntoTheNewest() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream stream = peer.hello("node-a", null);
    SnapshotMsg first = (SnapshotMsg) stream.next();

    store.publish(Snapshots.shop(8080, 8081));
    store.publish(Snapshots.shop(8080, 8081, 8082));
    Snapshot v4 = Snapshots.shopAndApi(8080, 8081, 8082);
    store.publish(v4);
    stream.send(new Ack(v1.version(), first.nonce()));

    DeltaMsg delta = assertInstanceOf(DeltaMsg.class, stream.next());
    assertEquals(v1.version(), delta.delta().baseVersion());
    assertEquals(v4.version(), delta.version());
    stream.send(new Ack(v4.version(), delta.nonce()));

    Snapshot v5 = Snapshots.shop(9090);
    store.publish(v5);
    DeltaMsg next = assertInstanceOf(DeltaMsg.class, stream.next());
    assertEquals(v4.version(), next.delta().baseVersion(), "no stale version was queued");
    assertEquals(v5.version(), next.version());
  }

  @Test
  void everyMessageCarriesAFreshNonce() throws Exception {
    store.publish(Snapshots.shop(8080));
    TestStreamPeer.Stream stream = peer.hello("node-a", null);
    SnapshotMsg first = (SnapshotMsg) stream.next();
    stream.send(new Ack(first.version(), first.nonce()));
    store.publish(Snapshots.shop(8081));
    DeltaMsg second = (DeltaMsg) stream.next();
    assertFalse(first.nonce().equals(second.nonce()));
  }

  @Test
  void anAnswerToAStaleNonceIsIgnored() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream stream = peer.hello("node-a", null);
    SnapshotMsg msg = (SnapshotMsg) stream.next();

    // Were the stale ack taken, nothing would be in flight and the real nack would be stale.
    stream.send(new Ack(v1.version(), "not-" + msg.nonce()));
    stream.send(new Nack(v1.version(), msg.nonce(), "bad route", List.of("route/x")));

    await().until(() -> store.nackCount() == 1);
    assertTrue(store.ackedVersions().isEmpty(), "the stale ack was not recorded");
    SnapshotStore.Nack nack = store.dataplane("node-a").orElseThrow().lastNack();
    assertEquals(v1.version(), nack.version());
    assertEquals("bad route", nack.error());
    assertEquals(List.of("route/x"), nack.resources());
  }

  @Test
  void aNackedVersionIsNotResentButTheNextOneArrivesInFull() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream stream = peer.hello("node-a", null);
    SnapshotMsg first = (SnapshotMsg) stream.next();
    stream.send(new Ack(v1.version(), first.nonce()));

    Snapshot v2 = Snapshots.shop(8081);
    store.publish(v2);
    DeltaMsg delta = (DeltaMsg) stream.next();
    stream.send(new Nack(v2.version(), delta.nonce(), "delta is based on x", List.of()));
    await().until(() -> store.nackCount() == 1);
    assertEquals(v1.version(), store.ackedVersions().get("node-a"));
    assertFalse(store.isProgrammedEverywhere(v2.version()));

    Snapshot v3 = Snapshots.shop(8082);
    store.publish(v3);
    // After a rejected delta the base may be wrong: the next version comes whole.
    assertEquals(v3, assertInstanceOf(SnapshotMsg.class, stream.next()).snapshot());
    assertTrue(stream.messages.isEmpty());
  }

  @Test
  void aFirstMessageOtherThanHelloResetsTheStream() throws Exception {
    store.publish(Snapshots.shop(8080));
    TestStreamPeer.Stream stream = peer.open("POST", "/v1/stream");
    stream.send(new Ack("abc", "n1"));
    assertNotNull(stream.resets.poll(5, java.util.concurrent.TimeUnit.SECONDS));
    await().until(() -> stream.closed);
    assertEquals(0, store.connectedCount());
  }

  @Test
  void garbageOnOneStreamClosesOnlyThatStream() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream good = peer.hello("node-a", null);
    SnapshotMsg msg = (SnapshotMsg) good.next();
    good.send(new Ack(v1.version(), msg.nonce()));

    TestStreamPeer.Stream bad = peer.open("POST", "/v1/stream");
    byte[] json = "{not json".getBytes(StandardCharsets.UTF_8);
    bad.sendBytes(ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array());
    await().until(() -> bad.closed);
    assertFalse(bad.resets.isEmpty());

    assertTrue(peer.isConnectionOpen());
    Snapshot v2 = Snapshots.shop(8081);
    store.publish(v2);
    assertEquals(v2.version(), ((DeltaMsg) good.next()).version());
  }

  @Test
  void anOversizedFrameIsRefusedBeforeItsBodyArrives() throws Exception {
    TestStreamPeer.Stream stream = peer.open("POST", "/v1/stream");
    // Only the 4-byte length: the server must not wait for (or buffer) 100 MB.
    stream.sendBytes(ByteBuffer.allocate(4).putInt(100 * 1024 * 1024).array());
    await().until(() -> stream.closed);
    assertFalse(stream.resets.isEmpty());
    assertTrue(peer.isConnectionOpen());
  }

  @Test
  void aPortInUseIsReportedWithTheAddress() {
    StreamServer second = new StreamServer(
        store, new InetSocketAddress("127.0.0.1", port()));
    IllegalStateException e = org.junit.jupiter.api.Assertions.assertThrows(
        IllegalStateException.class, second::start);
    assertTrue(e.getMessage().contains("cannot listen for dataplanes"), e.getMessage());
  }

  @Test
  void anotherPathIsNotFound() throws Exception {
    assertEquals("404", peer.open("POST", "/v2/stream").status());
  }

  @Test
  void anotherMethodIsNotAllowed() throws Exception {
    assertEquals("405", peer.open("GET", "/v1/stream").status());
  }

  @Test
  void aDisconnectedDataplaneIsForgotten() throws Exception {
    Snapshot v1 = Snapshots.shop(8080);
    store.publish(v1);
    TestStreamPeer.Stream stream = peer.hello("node-a", v1.version());
    await().until(() -> store.isProgrammedEverywhere(v1.version()));
    peer.close();
    await().until(() -> store.connectedCount() == 0);
    assertFalse(store.isProgrammedEverywhere(v1.version()));
    await().until(() -> server.sessionCount() == 0);
  }

  @Test
  void aSnapshotOfSeveralMegabytesPassesFlowControl() throws Exception {
    Snapshot big = Snapshots.large(3 * 1024 * 1024);
    store.publish(big);
    TestStreamPeer.Stream stream = peer.hello("node-a", null);
    SnapshotMsg msg = (SnapshotMsg) stream.messages.poll(20, java.util.concurrent.TimeUnit.SECONDS);
    assertEquals(big.version(), msg.version());
  }

  @Test
  void aStreamThatNeverSaysHelloIsReset() throws Exception {
    try (StreamServer fast =
            new StreamServer(store, new InetSocketAddress("127.0.0.1", 0), null, 100);
        TestStreamPeer quiet = new TestStreamPeer(fast.start())) {
      TestStreamPeer.Stream stream = quiet.open("POST", "/v1/stream");
      assertEquals("200", stream.status());
      assertNotNull(stream.resets.poll(5, java.util.concurrent.TimeUnit.SECONDS));
      assertTrue(quiet.isConnectionOpen());
    }
  }

  @Test
  void aSilentPeerIsDroppedByTheKeepaliveButALiveOneStays() throws Exception {
    try (StreamServer fast =
        new StreamServer(store, new InetSocketAddress("127.0.0.1", 0), null, 100)) {
      int port = fast.start();
      try (TestStreamPeer live = new TestStreamPeer(port);
          java.net.Socket silent = new java.net.Socket("127.0.0.1", port)) {
        live.hello("node-live", null);
        // A raw TCP peer that never speaks HTTP/2 and so never answers a PING.
        silent.setSoTimeout(5_000);
        java.io.InputStream in = silent.getInputStream();
        byte[] sink = new byte[4096];
        await().atMost(Duration.ofSeconds(5)).until(() -> in.read(sink) < 0);
        // The live peer's codec answers every PING: it outlives many keepalive intervals.
        await().during(Duration.ofMillis(700)).atMost(Duration.ofSeconds(2))
            .until(live::isConnectionOpen);
      }
    }
  }
}
