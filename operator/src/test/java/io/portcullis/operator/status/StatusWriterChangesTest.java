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
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The real StatusWriter against a recording sink, fed results the way the incremental compiler
 * makes them (an unchanged object keeps its status instance): a pass looks at the objects whose
 * status changed, and still follows objects that come, go and come back.
 */
class StatusWriterChangesTest {
  private static final List<LoadBalancerAddress> ADDRESS = List.of(LoadBalancerAddress.ip("192.0.2.7"));

  /** "ingress:NAME", "route:NAME" or "event:NAME:REASON", in the order the sink was called. */
  private final List<String> calls = new CopyOnWriteArrayList<>();
  private final AtomicInteger liveLookups = new AtomicInteger();

  private final StatusSink sink = new StatusSink() {
    @Override
    public void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status) {
      calls.add("route:" + route.name());
    }

    @Override
    public void writeIngressLoadBalancer(ObjectRef ingress, List<LoadBalancerAddress> addresses) {
      calls.add("ingress:" + ingress.name());
    }

    @Override
    public void recordEvent(ObjectRef object, ObjectStatus.Event event) {
      calls.add("event:" + object.name() + ":" + event.reason());
    }
  };

  private final SnapshotStore store = new SnapshotStore() {
    @Override
    public boolean isProgrammedEverywhere(String version) {
      return true;
    }
  };

  // No timer pass within a test: every pass is one update's.
  private final StatusWriter writer = new StatusWriter(store, sink, Clock.systemUTC(),
      Duration.ofHours(1), (kind, ok) -> {}, 5_000, 4, Duration.ofHours(1));

  @AfterEach
  void stop() {
    writer.close();
  }

  private static ObjectStatus status(String kind, String name, ObjectStatus.Event... events) {
    return new ObjectStatus(new ObjectRef(kind, "shop", name, 1, null),
        List.of(new ObjectStatus.Condition(StatusWriter.ACCEPTED, true, "Accepted", "ok")),
        List.of(events), List.of());
  }

  private static Ingress ingress(String name) {
    return new IngressBuilder().withNewMetadata().withNamespace("shop").withName(name).endMetadata().build();
  }

  private void update(List<ObjectStatus> statuses) {
    List<Ingress> ingresses = statuses.stream().filter(s -> s.object().kind().equals("Ingress"))
        .map(s -> ingress(s.object().name())).toList();
    ClusterState state = new ClusterState(List.of(), ingresses, List.of(), List.of(), List.of(), List.of());
    writer.update(state, new CompileResult(Snapshot.empty(), statuses));
  }

  private long count(String call) {
    return calls.stream().filter(call::equals).count();
  }

  private void awaitCalls(int n) {
    await().atMost(Duration.ofSeconds(20)).until(() -> calls.size() >= n);
  }

  @Test
  @DisplayName("one changed Ingress among 1,000: the pass looks at it and the ProxyRoutes, not at the other 999")
  void aPassLooksAtWhatChanged() {
    List<ObjectStatus> statuses = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      statuses.add(status("Ingress", String.format("web-%04d", i)));
    }
    statuses.add(status("ProxyRoute", "api"));
    statuses.add(status("ProxyRoute", "shop"));
    writer.compareWithLive(() -> {
      liveLookups.incrementAndGet();
      return new ClusterState(List.of(), statuses.stream().filter(s -> s.object().kind().equals("Ingress"))
          .map(s -> ingress(s.object().name())).toList(), List.of(), List.of(), List.of(), List.of());
    });
    writer.publishAddresses(() -> java.util.Optional.of(ADDRESS));
    writer.start();
    update(statuses);
    awaitCalls(1002);
    long before = writer.objectsLookedAt();
    int lookups = liveLookups.get();

    // The compiler's next result: the same instances but one, which now reports an event.
    List<ObjectStatus> next = new ArrayList<>(statuses);
    next.set(500, status("Ingress", "web-0500", new ObjectStatus.Event(true, "BackendNotFound", "no Service web")));
    update(next);
    awaitCalls(1003);

    assertEquals("event:web-0500:BackendNotFound", calls.get(1002));
    assertEquals(3, writer.objectsLookedAt() - before, "the changed Ingress and the two ProxyRoutes");
    assertEquals(lookups, liveLookups.get(), "what was written decides; the live objects are not indexed again");

    // The same result again, and an equal one built anew (a full compile): nothing to look at but the routes.
    update(next);
    update(new ArrayList<>(next.stream().map(s -> new ObjectStatus(s.object(), s.conditions(), s.events(),
        s.routeNames())).toList()));
    await().atMost(Duration.ofSeconds(20)).until(() -> writer.objectsLookedAt() - before >= 3 + 2);
    assertEquals(1003, calls.size(), "nothing written or recorded again: " + calls.subList(1002, calls.size()));
  }

  @Test
  @DisplayName("an Ingress removed and created again gets its address again; one added beside another is written once")
  void objectsThatComeAndGoAreFollowed() {
    List<ObjectStatus> statuses = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      statuses.add(status("Ingress", "web-" + i));
    }
    writer.publishAddresses(() -> java.util.Optional.of(ADDRESS));
    writer.start();
    update(statuses);
    awaitCalls(10);

    // Only the newest result is written: the event on web-0 tells when this one was.
    List<ObjectStatus> without = new ArrayList<>(statuses);
    without.remove(3);
    without.set(0, status("Ingress", "web-0", new ObjectStatus.Event(false, "Marker", "seen")));
    update(without);
    awaitCalls(11);
    List<ObjectStatus> added = new ArrayList<>(without);
    added.add(3, status("Ingress", "web-3"));
    added.add(6, status("Ingress", "web-55"));
    update(added);
    awaitCalls(13);
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> calls.size() == 13);
    assertEquals(2, count("ingress:web-3"), "written again after it was gone: " + calls);
    assertEquals(1, count("ingress:web-55"));
  }

  @Test
  @DisplayName("a namespace's worth of objects gone and others come at once: the new ones are written, the gone ones forgotten")
  void manyChangesAtOnce() {
    List<ObjectStatus> first = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      first.add(status("Ingress", "a-" + i));
    }
    writer.publishAddresses(() -> java.util.Optional.of(ADDRESS));
    writer.start();
    update(first);
    awaitCalls(20);

    List<ObjectStatus> second = new ArrayList<>(first.subList(0, 10));
    for (int i = 0; i < 10; i++) {
      second.add(status("Ingress", "b-" + i));
    }
    update(second);
    awaitCalls(30);
    update(first);
    awaitCalls(40);
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(5)).until(() -> calls.size() == 40);
    for (int i = 0; i < 20; i++) {
      assertEquals(i < 10 ? 1 : 2, count("ingress:a-" + i), "a-" + i + ": " + calls);
    }
    for (int i = 0; i < 10; i++) {
      assertEquals(1, count("ingress:b-" + i));
    }
    assertTrue(calls.stream().allMatch(c -> c.startsWith("ingress:")));
  }
}
