package io.portcullis.operator.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.Snapshot;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SnapshotStoreTest {
  private final SnapshotStore store = new SnapshotStore(3);

  /** A distinct snapshot per port: one cluster with one endpoint. */
  private static Snapshot v(int port) {
    return Snapshot.of(List.of(), List.of(new Cluster("c", List.of(new Endpoint("10.0.0.1", port)))), null);
  }

  @Test
  void publishedVersionsGetIncreasingSequences() {
    store.publish(v(1));
    store.publish(v(2));
    assertEquals(Optional.of(1L), store.sequenceOf(v(1).version()));
    assertEquals(Optional.of(2L), store.sequenceOf(v(2).version()));
    assertEquals(v(2), store.current());
  }

  @Test
  void publishingTheCurrentVersionAgainChangesNothing() {
    List<Snapshot> seen = new ArrayList<>();
    store.subscribe(seen::add);
    store.publish(v(1));
    store.publish(v(1));
    assertEquals(List.of(v(1)), seen);
    assertEquals(Optional.of(1L), store.sequenceOf(v(1).version()));
  }

  @Test
  void theFirstPublishCountsEvenWhenItIsEmpty() {
    assertFalse(store.hasPublished());
    store.publish(Snapshot.empty());
    assertTrue(store.hasPublished());
    assertEquals(Optional.of(1L), store.sequenceOf(Snapshot.empty().version()));
  }

  @Test
  void republishedOldContentTakesTheNewestSequence() {
    store.publish(v(1));
    store.publish(v(2));
    store.publish(v(1));
    assertEquals(Optional.of(3L), store.sequenceOf(v(1).version()));
  }

  @Test
  void historyKeepsOnlyTheMostRecentSnapshots() {
    for (int port = 1; port <= 5; port++) {
      store.publish(v(port));
    }
    assertTrue(store.recent(v(1).version()).isEmpty());
    assertTrue(store.recent(v(2).version()).isEmpty());
    assertEquals(Optional.of(v(3)), store.recent(v(3).version()));
    assertEquals(Optional.of(v(5)), store.recent(v(5).version()));
    // The order survives the snapshot: the programmed check still works for dropped versions.
    assertEquals(Optional.of(1L), store.sequenceOf(v(1).version()));
  }

  @Test
  void nothingIsProgrammedWithoutAConnectedDataplane() {
    store.publish(v(1));
    assertFalse(store.isProgrammedEverywhere(v(1).version()));
  }

  @Test
  void programmedNeedsEveryConnectedDataplaneAtThatVersionOrLater() {
    store.publish(v(1));
    store.publish(v(2));
    store.connected("a", null);
    store.connected("b", null);
    store.recordAck("a", v(2).version());
    assertFalse(store.isProgrammedEverywhere(v(1).version()), "b has acked nothing");
    store.recordAck("b", v(1).version());
    assertTrue(store.isProgrammedEverywhere(v(1).version()));
    assertFalse(store.isProgrammedEverywhere(v(2).version()));
    store.recordAck("b", v(2).version());
    assertTrue(store.isProgrammedEverywhere(v(2).version()));
    assertEquals(Map.of("a", v(2).version(), "b", v(2).version()), store.ackedVersions());
  }

  @Test
  void aVersionNeverPublishedIsNeverProgrammed() {
    store.publish(v(1));
    store.connected("a", v(1).version());
    assertFalse(store.isProgrammedEverywhere("feedfacefeedface"));
  }

  @Test
  void theVersionInAHelloCountsAsAcked() {
    store.publish(v(1));
    store.connected("a", v(1).version());
    assertTrue(store.isProgrammedEverywhere(v(1).version()));
  }

  @Test
  void aDisconnectedDataplaneNoLongerHoldsProgrammedBack() {
    store.publish(v(1));
    long a = store.connected("a", v(1).version());
    long b = store.connected("b", null);
    assertFalse(store.isProgrammedEverywhere(v(1).version()));
    store.disconnected("b", b);
    assertTrue(store.isProgrammedEverywhere(v(1).version()));
    store.disconnected("a", a);
    assertEquals(0, store.connectedCount());
  }

  @Test
  void aLateDisconnectOfAnOldSessionDoesNotRemoveTheReconnectedNode() {
    long old = store.connected("a", null);
    store.connected("a", null);
    store.disconnected("a", old);
    assertEquals(1, store.connectedCount());
  }

  @Test
  void nacksAreCountedAndTheLastOneIsKeptPerNode() {
    store.publish(v(1));
    store.connected("a", v(1).version());
    store.recordNack("a", v(2).version(), "bad regex", List.of("route/x"));
    store.recordNack("a", v(3).version(), "bad cluster", List.of());
    assertEquals(2, store.nackCount());
    SnapshotStore.Nack last = store.dataplane("a").orElseThrow().lastNack();
    assertEquals(v(3).version(), last.version());
    assertEquals("bad cluster", last.error());
    assertEquals(v(1).version(), store.dataplane("a").orElseThrow().ackedVersion());
  }

  @Test
  void ackListenersHearAcksConnectsAndDisconnects() {
    AtomicInteger calls = new AtomicInteger();
    store.onAck(calls::incrementAndGet);
    long id = store.connected("a", null);
    store.recordAck("a", "x");
    store.disconnected("a", id);
    assertEquals(3, calls.get());
  }

  @Test
  void anAckFromAnUnknownNodeIsIgnored() {
    store.recordAck("ghost", "x");
    assertTrue(store.ackedVersions().isEmpty());
    assertEquals(0, store.connectedCount());
  }

  @Test
  void aHistoryOfNothingIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new SnapshotStore(0));
  }
}
