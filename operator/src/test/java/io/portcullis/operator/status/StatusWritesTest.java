package io.portcullis.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.ObjectRef;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class StatusWritesTest {
  private StatusWrites writes;

  @AfterEach
  void close() {
    if (writes != null) {
      writes.close();
    }
  }

  private static ObjectRef ref(String name) {
    return new ObjectRef("Ingress", "default", name, 1, null);
  }

  private static final StatusWrites.Rank NEW = StatusWrites.Rank.NEW_INGRESS;
  private static final StatusWrites.Rank OLD = StatusWrites.Rank.CHANGED_INGRESS;

  @Test
  @DisplayName("objects without a status of ours are written before the others")
  void freshObjectsGoFirst() {
    writes = new StatusWrites(1);
    List<String> order = new CopyOnWriteArrayList<>();
    List<StatusWrites.Write> planned = new ArrayList<>();
    for (String name : List.of("old-1", "new-1", "old-2", "new-2")) {
      planned.add(new StatusWrites.Write(ref(name), name.startsWith("new") ? NEW : OLD,
          () -> order.add(name)));
    }
    writes.run(StatusWrites.ordered(planned, w -> false));
    assertEquals(List.of("new-1", "new-2", "old-1", "old-2"), order);
  }

  @Test
  @DisplayName("ProxyRoute conditions go before Ingress addresses, and failed writes last in their rank")
  void proxyRoutesFirstThenIngressesAndRepeatedFailuresLast() {
    List<StatusWrites.Write> planned = new ArrayList<>();
    planned.add(new StatusWrites.Write(ref("ingress-changed"), OLD, () -> {}));
    planned.add(new StatusWrites.Write(ref("ingress-new-refused"), NEW, () -> {}));
    planned.add(new StatusWrites.Write(ref("ingress-new"), NEW, () -> {}));
    planned.add(new StatusWrites.Write(ref("route-changed"), StatusWrites.Rank.CHANGED_PROXY_ROUTE, () -> {}));
    planned.add(new StatusWrites.Write(ref("route-new"), StatusWrites.Rank.NEW_PROXY_ROUTE, () -> {}));
    List<String> order = StatusWrites.ordered(planned, w -> w.ref().name().endsWith("refused"))
        .stream().map(w -> w.ref().name()).toList();
    assertEquals(List.of("route-new", "route-changed", "ingress-new", "ingress-new-refused",
        "ingress-changed"), order);
  }

  @Test
  @DisplayName("a refused write is reported as its own outcome; the others still go out")
  void oneRefusalHoldsUpNothing() {
    writes = new StatusWrites(4);
    List<StatusWrites.Write> planned = List.of(
        new StatusWrites.Write(ref("a"), OLD, () -> {}),
        new StatusWrites.Write(ref("b"), OLD, () -> {
          throw new IllegalStateException("409 conflict");
        }),
        new StatusWrites.Write(ref("c"), OLD, () -> {}));
    List<StatusWrites.Outcome> outcomes = writes.run(planned);
    assertEquals(3, outcomes.size());
    assertTrue(outcomes.get(0).ok());
    assertFalse(outcomes.get(1).ok());
    assertEquals("409 conflict", outcomes.get(1).error().getMessage());
    assertTrue(outcomes.get(2).ok());
  }

  @Test
  @DisplayName("writes overlap, up to the concurrency: two slow writes are in flight together")
  void writesOverlap() throws Exception {
    writes = new StatusWrites(2);
    CountDownLatch both = new CountDownLatch(2);
    Runnable meet = () -> {
      both.countDown();
      try {
        // Each write waits for the other: only concurrent writes can both finish.
        if (!both.await(10, TimeUnit.SECONDS)) {
          throw new IllegalStateException("the other write never started");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    };
    List<StatusWrites.Outcome> outcomes = writes.run(List.of(
        new StatusWrites.Write(ref("a"), OLD, meet), new StatusWrites.Write(ref("b"), OLD, meet)));
    assertTrue(outcomes.stream().allMatch(StatusWrites.Outcome::ok));
  }

  @Test
  @DisplayName("writes whose turn comes after the pass's deadline are handed back unsent; the first always goes")
  void aPassOutOfTimeHandsTheRestBack() {
    writes = new StatusWrites(1);
    List<String> order = new CopyOnWriteArrayList<>();
    List<StatusWrites.Write> planned = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      planned.add(new StatusWrites.Write(ref(name), OLD, () -> order.add(name)));
    }
    List<StatusWrites.Outcome> outcomes = writes.run(planned, System.nanoTime() - 1);
    assertEquals(List.of("a"), order);
    assertTrue(outcomes.get(0).ok());
    assertFalse(outcomes.get(1).sent());
    assertFalse(outcomes.get(1).ok());
    assertFalse(outcomes.get(2).sent());
  }
}
