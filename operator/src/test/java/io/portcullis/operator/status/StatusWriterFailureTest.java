package io.portcullis.operator.status;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The writer against a sink that fails on demand: what is retried, what is not repeated. */
class StatusWriterFailureTest {
  private final List<String> writes = new CopyOnWriteArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final AtomicBoolean refuseBroken = new AtomicBoolean(true);

  private final StatusSink sink =
      new StatusSink() {
        @Override
        public void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status) {
          if (refuseBroken.get() && route.name().equals("broken")) {
            throw new IllegalStateException("forbidden");
          }
          writes.add(route.name());
        }

        @Override
        public void recordEvent(ObjectRef object, ObjectStatus.Event event) {
          if (refuseBroken.get() && object.name().equals("broken")) {
            throw new IllegalStateException("forbidden");
          }
          events.add(object.name() + ":" + event.reason());
        }
      };

  private final StatusWriter writer =
      new StatusWriter(new SnapshotStore(), sink, Clock.systemUTC(), Duration.ofMillis(20), () -> {});

  @AfterEach
  void stop() {
    writer.close();
  }

  private static ObjectStatus route(String name) {
    return new ObjectStatus(
        new ObjectRef("ProxyRoute", "shop", name, 1, null),
        List.of(new ObjectStatus.Condition("Accepted", true, "Accepted", "ok")),
        List.of(new ObjectStatus.Event(false, "Accepted", "route accepted")),
        List.of());
  }

  @Test
  void anObjectTheServerRefusesDoesNotHoldUpTheOthersAndIsRetried() {
    writer.start();
    writer.update(
        ClusterState.empty(),
        new CompileResult(Snapshot.empty(), List.of(route("broken"), route("fine"))));
    await().atMost(Duration.ofSeconds(5)).until(() -> writes.contains("fine"));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("fine:Accepted"));
    assertEquals(List.of("fine:Accepted"), events);

    refuseBroken.set(false);
    await().atMost(Duration.ofSeconds(5)).until(() -> writes.contains("broken"));
    await().atMost(Duration.ofSeconds(5)).until(() -> events.contains("broken:Accepted"));
    // Retries stop once written: a few more timer passes add nothing.
    await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
    assertEquals(2, writes.size());
    assertEquals(2, events.size());
  }
}
