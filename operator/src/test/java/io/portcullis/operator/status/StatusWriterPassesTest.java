package io.portcullis.operator.status;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The real StatusWriter against a sink that records the order of its writes: a backlog of Ingress
 * addresses goes out a bounded pass at a time, and what the writer learns in between (acks, a new
 * ProxyRoute) is written before the rest of the backlog.
 */
class StatusWriterPassesTest {
  private static final int PER_PASS = 10;
  private static final List<LoadBalancerAddress> ADDRESS = List.of(LoadBalancerAddress.ip("192.0.2.7"));

  /** "route:NAME:Programmed-status" or "ingress:NAME", in the order the sink was called. */
  private final List<String> writes = new CopyOnWriteArrayList<>();
  private final AtomicBoolean acked = new AtomicBoolean();
  private final AtomicReference<Runnable> onFirstIngressWrite = new AtomicReference<>();

  private final StatusSink sink = new StatusSink() {
    @Override
    public void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status) {
      String programmed = status.getConditions().stream()
          .filter(c -> StatusWriter.PROGRAMMED.equals(c.getType()))
          .findFirst().orElseThrow().getStatus();
      writes.add("route:" + route.name() + ":" + programmed);
    }

    @Override
    public void writeIngressLoadBalancer(ObjectRef ingress, List<LoadBalancerAddress> addresses) {
      Runnable first = onFirstIngressWrite.getAndSet(null);
      if (first != null) {
        first.run();
      }
      writes.add("ingress:" + ingress.name());
    }

    @Override
    public void recordEvent(ObjectRef object, ObjectStatus.Event event) {}
  };

  private final SnapshotStore store = new SnapshotStore() {
    @Override
    public boolean isProgrammedEverywhere(String version) {
      return acked.get();
    }
  };

  // One write in flight at a time, so the recorded order is the order the writer chose.
  private final StatusWriter writer = new StatusWriter(store, sink, Clock.systemUTC(),
      Duration.ofHours(1), (kind, ok) -> {}, PER_PASS, 1, Duration.ofHours(1));

  @AfterEach
  void stop() {
    writer.close();
  }

  private static ObjectStatus accepted(String kind, String name) {
    return new ObjectStatus(new ObjectRef(kind, "shop", name, 1, null),
        List.of(new ObjectStatus.Condition(StatusWriter.ACCEPTED, true, "Accepted", "ok")),
        List.of(), List.of());
  }

  private static Ingress ingress(String name) {
    return new IngressBuilder().withNewMetadata().withNamespace("shop").withName(name).endMetadata().build();
  }

  private static CompileResult result(List<String> routes, List<String> ingresses) {
    List<ObjectStatus> statuses = new ArrayList<>();
    // Ingresses first in the compiler's list: the writer, not the list, decides the order.
    ingresses.forEach(name -> statuses.add(accepted("Ingress", name)));
    routes.forEach(name -> statuses.add(accepted("ProxyRoute", name)));
    return new CompileResult(Snapshot.empty(), statuses);
  }

  @Test
  @DisplayName("a backlog of Ingress addresses goes out a bounded pass at a time; acks and a new"
      + " ProxyRoute seen in between are written before the rest of it")
  void boundedPassesPutProxyRoutesFirst() {
    List<String> ingresses = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      ingresses.add("web-" + i);
    }
    ClusterState state = new ClusterState(List.of(),
        ingresses.stream().map(StatusWriterPassesTest::ingress).toList(),
        List.of(), List.of(), List.of(), List.of());
    writer.publishAddresses(() -> java.util.Optional.of(ADDRESS));
    // While the first pass writes its first Ingress: the dataplanes ack, and a compile brings a
    // fourth ProxyRoute.
    onFirstIngressWrite.set(() -> {
      acked.set(true);
      writer.update(state, result(List.of("a", "b", "c", "d"), ingresses));
    });
    writer.start();
    writer.update(state, result(List.of("a", "b", "c"), ingresses));

    int total = 3 + 4 + 25; // Pending for a-c; d, and Programmed for a-c; every Ingress once
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertTrue(writes.size() >= total,
        () -> "writes so far: " + writes));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> writes.size() == total);

    // Pass 1: the three new ProxyRoutes (Pending), then Ingresses up to the bound.
    assertEquals(List.of("route:a:False", "route:b:False", "route:c:False"), writes.subList(0, 3));
    assertEquals(PER_PASS - 3, count(writes.subList(3, PER_PASS), "ingress:"));
    // Pass 2 looked again: the new ProxyRoute first, then the acked ones, then more Ingresses.
    assertEquals(List.of("route:d:True", "route:a:True", "route:b:True", "route:c:True"),
        writes.subList(PER_PASS, PER_PASS + 4));
    assertEquals(total - PER_PASS - 4, count(writes.subList(PER_PASS + 4, total), "ingress:"));
    // Every Ingress exactly once: nothing deferred was lost, nothing was written twice.
    List<String> ingressWrites = writes.stream().filter(w -> w.startsWith("ingress:")).toList();
    assertEquals(25, ingressWrites.size());
    assertEquals(25, new HashSet<>(ingressWrites).size());
  }

  @Test
  @DisplayName("a pass that runs out of time leaves the rest to the next pass: everything is written once, in order")
  void passesOutOfTimeStillWriteEverythingOnceInOrder() {
    StatusWriter slow = new StatusWriter(store, sink, Clock.systemUTC(), Duration.ofHours(1),
        (kind, ok) -> {}, PER_PASS, 1, Duration.ZERO);
    try {
      List<String> ingresses = List.of("web-0", "web-1", "web-2", "web-3");
      ClusterState state = new ClusterState(List.of(),
          ingresses.stream().map(StatusWriterPassesTest::ingress).toList(),
          List.of(), List.of(), List.of(), List.of());
      slow.publishAddresses(() -> java.util.Optional.of(ADDRESS));
      slow.start();
      slow.update(state, result(List.of("a", "b"), ingresses));
      // With no time per pass each pass sends its first write only, and the next starts at once.
      await().atMost(Duration.ofSeconds(20)).until(() -> writes.size() >= 6);
      await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> writes.size() == 6);
      assertEquals(List.of("route:a:False", "route:b:False", "ingress:web-0", "ingress:web-1",
          "ingress:web-2", "ingress:web-3"), writes);
    } finally {
      slow.close();
    }
  }

  private static long count(List<String> writes, String prefix) {
    return writes.stream().filter(w -> w.startsWith(prefix)).count();
  }
}
