package io.portcullis.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Snapshot;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RebuildLoopTest {
  private final SnapshotStore store = new SnapshotStore();
  private final AtomicInteger compiles = new AtomicInteger();
  private final List<CompileResult> delivered = new CopyOnWriteArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private RebuildLoop loop;

  @AfterEach
  void stop() {
    if (loop != null) {
      loop.close();
    }
  }

  private RebuildLoop start(Function<ClusterState, CompileResult> compile, Duration quiet, Duration max) {
    loop =
        new RebuildLoop(
            ClusterState::empty,
            state -> {
              compiles.incrementAndGet();
              return compile.apply(state);
            },
            store,
            new RebuildLoop.Listener() {
              @Override
              public void compiled(ClusterState state, CompileResult result, Duration took) {
                delivered.add(result);
              }

              @Override
              public void failed(RuntimeException error) {
                failures.incrementAndGet();
              }
            },
            quiet,
            max);
    loop.start();
    return loop;
  }

  @Test
  void aBurstOfChangesIsCompiledOnce() {
    start(state -> new CompileResult(Snapshot.empty(), List.of()), Duration.ofMillis(300), Duration.ofSeconds(10));
    for (int i = 0; i < 1000; i++) {
      loop.changed();
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> compiles.get() == 1);
    // A further change after the burst is its own, second compile.
    loop.changed();
    await().atMost(Duration.ofSeconds(5)).until(() -> compiles.get() == 2);
    // The listener hears of a compile after it returned: wait for it rather than race it.
    await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() >= 2);
    assertEquals(2, compiles.get());
    assertEquals(2, delivered.size());
  }

  @Test
  void aSteadyTrickleStillCompilesWithinTheMaximumDelay() {
    start(state -> new CompileResult(Snapshot.empty(), List.of()), Duration.ofSeconds(30), Duration.ofMillis(200));
    // Changes keep coming faster than the 30 s quiet period; only the maximum delay lets a compile through.
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(10))
        .until(
            () -> {
              loop.changed();
              return compiles.get() >= 2;
            });
  }

  @Test
  void nothingIsCompiledWithoutAChange() throws Exception {
    start(state -> new CompileResult(Snapshot.empty(), List.of()), Duration.ofMillis(10), Duration.ofMillis(50));
    loop.changed();
    await().atMost(Duration.ofSeconds(5)).until(() -> compiles.get() == 1);
    // Give the loop the chance to misbehave for many quiet periods, then check it did not.
    AtomicReference<Integer> later = new AtomicReference<>();
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> {
      later.set(compiles.get());
      return true;
    });
    assertEquals(1, later.get());
  }

  @Test
  void aCompileThatThrowsKeepsTheLastSnapshotAndTheLoopAlive() {
    Snapshot good = snapshotWithClusters(1);
    AtomicInteger call = new AtomicInteger();
    start(
        state -> {
          int n = call.incrementAndGet();
          if (n == 2) {
            throw new IllegalStateException("boom");
          }
          return new CompileResult(good, List.of());
        },
        Duration.ofMillis(10),
        Duration.ofMillis(50));
    loop.changed();
    await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 1);
    loop.changed();
    await().atMost(Duration.ofSeconds(5)).until(() -> failures.get() == 1);
    assertEquals(good.version(), store.current().version());
    loop.changed();
    await().atMost(Duration.ofSeconds(5)).until(() -> delivered.size() == 2);
  }

  @Test
  void eachCompilePublishesItsSnapshot() {
    AtomicInteger n = new AtomicInteger();
    start(
        state -> new CompileResult(snapshotWithClusters(n.incrementAndGet()), List.of()),
        Duration.ofMillis(10),
        Duration.ofMillis(50));
    loop.changed();
    await().atMost(Duration.ofSeconds(5)).until(() -> store.current().clusters().size() == 1);
    loop.changed();
    await().atMost(Duration.ofSeconds(5)).until(() -> store.current().clusters().size() == 2);
    assertTrue(delivered.get(1).snapshot().version().equals(store.current().version()));
  }

  private static Snapshot snapshotWithClusters(int count) {
    List<Cluster> clusters = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      clusters.add(new Cluster("ns/c" + i + ":80", List.of()));
    }
    return Snapshot.of(List.of(), clusters, null);
  }
}
