package io.portcullis.operator.status;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServer;
import io.portcullis.operator.MockApiServerSettled;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class StatusWriterTest {
  KubernetesClient client;
  io.fabric8.kubernetes.client.server.mock.KubernetesMockServer server;

  private final AtomicBoolean programmed = new AtomicBoolean();
  private final java.util.Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final AtomicInteger writes = new AtomicInteger();
  private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
  private StatusWriter writer;

  private final SnapshotStore store =
      new SnapshotStore() {
        @Override
        public boolean isProgrammedEverywhere(String version) {
          return programmed.get() || acked.contains(version);
        }
      };

  private final Clock clock =
      new Clock() {
        @Override
        public ZoneOffset getZone() {
          return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
          return this;
        }

        @Override
        public Instant instant() {
          return now.get();
        }
      };

  @BeforeEach
  void start() {
    writer =
        new StatusWriter(
            store, new KubernetesStatusSink(client, clock), clock, Duration.ofMillis(50), writes::incrementAndGet);
    writer.start();
  }

  @AfterEach
  void stop() {
    writer.close();
  }

  private ProxyRoute createRoute(String name) {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName(name).build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.hosts.add("shop.example.com");
    route.setSpec(spec);
    return client.resource(route).create();
  }

  private ProxyRoute live(String name) {
    return client.resources(ProxyRoute.class).inNamespace("shop").withName(name).get();
  }

  private static ObjectStatus accepted(ProxyRoute route, List<ObjectStatus.Event> events) {
    return new ObjectStatus(
        new ObjectRef("ProxyRoute", "shop", route.getMetadata().getName(), 1, route.getMetadata().getUid()),
        List.of(
            new ObjectStatus.Condition("Accepted", true, "Accepted", "route accepted"),
            new ObjectStatus.Condition("ResolvedRefs", true, "ResolvedRefs", "all references resolved")),
        events,
        List.of());
  }

  private void update(ProxyRoute route, ObjectStatus... statuses) {
    ClusterState state =
        new ClusterState(List.of(), List.of(), List.of(live(route.getMetadata().getName())), List.of(), List.of(), List.of());
    writer.update(state, new CompileResult(Snapshot.empty(), List.of(statuses)));
  }

  private static Condition condition(ProxyRoute route, String type) {
    if (route.getStatus() == null) {
      return null;
    }
    return route.getStatus().getConditions().stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static final String SHOP_ROUTE = "proxyroute/shop/shop/0/shop.example.com";

  /** The shop route (to {@code prefix}) and, when {@code others} > 0, that many other hosts. */
  private static Snapshot served(String prefix, int others) {
    List<io.portcullis.snapshot.VirtualHost> hosts = new java.util.ArrayList<>();
    hosts.add(new io.portcullis.snapshot.VirtualHost("shop.example.com", List.of(
        io.portcullis.snapshot.Route.of(SHOP_ROUTE,
            io.portcullis.snapshot.RouteMatch.path(new io.portcullis.snapshot.PathMatch.Prefix(prefix)),
            new io.portcullis.snapshot.RouteAction.DirectResponse(200, "ok")))));
    for (int i = 0; i < others; i++) {
      hosts.add(new io.portcullis.snapshot.VirtualHost("other" + i + ".example.com", List.of(
          io.portcullis.snapshot.Route.of("ingress/default/other" + i + "/r0/p0",
              io.portcullis.snapshot.RouteMatch.path(new io.portcullis.snapshot.PathMatch.Prefix("/")),
              new io.portcullis.snapshot.RouteAction.DirectResponse(200, "other")))));
    }
    return Snapshot.of(hosts, List.of(), null);
  }

  private void update(ProxyRoute route, Snapshot snapshot) {
    ClusterState state = new ClusterState(List.of(), List.of(), List.of(live(route.getMetadata().getName())),
        List.of(), List.of(), List.of());
    ObjectStatus accepted = accepted(route, List.of());
    writer.update(state, new CompileResult(snapshot, List.of(new ObjectStatus(accepted.object(),
        accepted.conditions(), List.of(), List.of(SHOP_ROUTE)))));
  }

  @Test
  void aNewVersionThatLeavesTheRouteAloneKeepsItProgrammedWithoutWrites() {
    ProxyRoute route = createRoute("shop");
    Snapshot v1 = served("/", 0);
    acked.add(v1.version());
    update(route, v1);
    await().atMost(Duration.ofSeconds(10)).until(() -> condition(live("shop"), "Programmed") != null
        && "True".equals(condition(live("shop"), "Programmed").getStatus()));
    assertEquals(1, writes.get());

    // Another host changed: a new version the dataplanes have not acked yet. This route is
    // served exactly as before, so it stays Programmed and nothing is written.
    update(route, served("/", 1));
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5)).until(() -> writes.get() == 1
        && "True".equals(condition(live("shop"), "Programmed").getStatus()));

    // Its own route changed: Pending until that version is acked.
    Snapshot v3 = served("/new", 1);
    update(route, v3);
    await().atMost(Duration.ofSeconds(10)).until(() -> "Pending".equals(condition(live("shop"), "Programmed").getReason()));
    acked.add(v3.version());
    await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(condition(live("shop"), "Programmed").getStatus()));
    assertEquals(3, writes.get());
  }

  @Test
  void writesConditionsAndProgrammedPendingUntilDataplanesAck() {
    ProxyRoute route = createRoute("shop");
    update(route, accepted(route, List.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> condition(live("shop"), "Programmed") != null);

    ProxyRoute written = live("shop");
    assertEquals(1L, written.getStatus().getObservedGeneration());
    assertEquals("True", condition(written, "Accepted").getStatus());
    assertEquals("True", condition(written, "ResolvedRefs").getStatus());
    assertEquals("False", condition(written, "Programmed").getStatus());
    assertEquals("Pending", condition(written, "Programmed").getReason());
    assertEquals(List.of("shop.example.com"), written.getSpec().hosts, "the status patch leaves the spec alone");
    String acceptedSince = condition(written, "Accepted").getLastTransitionTime();

    now.set(now.get().plusSeconds(60));
    programmed.set(true);
    // No new compile: the timer notices the acks.
    await().atMost(Duration.ofSeconds(10)).until(() -> "True".equals(condition(live("shop"), "Programmed").getStatus()));
    assertEquals(3, live("shop").getStatus().getConditions().size(), "conditions are replaced, not appended");
    ProxyRoute after = live("shop");
    assertEquals(acceptedSince, condition(after, "Accepted").getLastTransitionTime(), "unchanged condition keeps its time");
    assertEquals("2026-01-01T00:01:00Z", condition(after, "Programmed").getLastTransitionTime());
    assertEquals(2, writes.get());
  }

  @Test
  void aReplicaThatIsNotLeaderWritesNothingUntilItLeads() {
    AtomicBoolean leader = new AtomicBoolean(false);
    writer.writeOnlyWhile(leader::get);
    ProxyRoute route = createRoute("shop");
    ObjectStatus.Event warning = new ObjectStatus.Event(true, "BackendNotFound", "service shop/api does not exist");
    update(route, accepted(route, List.of(warning)));
    // Several timer passes go by (50 ms each) without a write while another replica leads.
    await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> live("shop").getStatus() == null);
    assertEquals(0, client.v1().events().inNamespace("shop").list().getItems().size());

    leader.set(true);
    await().atMost(Duration.ofSeconds(10)).until(() -> condition(live("shop"), "Accepted") != null);
    await().atMost(Duration.ofSeconds(10)).until(() -> client.v1().events().inNamespace("shop").list().getItems().size() == 1);
  }

  @Test
  void anUnchangedStatusIsNotWrittenAgain() {
    ProxyRoute route = createRoute("shop");
    update(route, accepted(route, List.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.get() == 1);
    String version = live("shop").getMetadata().getResourceVersion();
    for (int i = 0; i < 5; i++) {
      update(route, accepted(route, List.of()));
    }
    // Let several writer passes (compiles and timer ticks) go by.
    await().pollDelay(Duration.ofMillis(400)).atMost(Duration.ofSeconds(2)).until(() -> true);
    assertEquals(1, writes.get());
    assertEquals(version, live("shop").getMetadata().getResourceVersion());
  }

  @Test
  void aStatusAlreadyOnTheObjectIsNotRewrittenAfterARestart() {
    ProxyRoute route = createRoute("shop");
    update(route, accepted(route, List.of()));
    await().atMost(Duration.ofSeconds(10)).until(() -> writes.get() == 1);
    writer.close();

    AtomicInteger secondWrites = new AtomicInteger();
    writer =
        new StatusWriter(store, new KubernetesStatusSink(client, clock), clock, Duration.ofMillis(50), secondWrites::incrementAndGet);
    writer.start();
    update(route, accepted(route, List.of()));
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
    assertEquals(0, secondWrites.get());
  }

  private List<Event> events() {
    return client.v1().events().inNamespace("shop").list().getItems();
  }

  @Test
  void eventsAreRecordedOnceWhileReportedAndCountedWhenTheyComeBack() {
    ProxyRoute route = createRoute("shop");
    ObjectStatus.Event missing = new ObjectStatus.Event(true, "BackendNotFound", "service shop/api does not exist");
    for (int i = 0; i < 3; i++) {
      update(route, accepted(route, List.of(missing)));
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> events().size() == 1);
    await().pollDelay(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> true);
    assertEquals(1, events().size());
    Event event = events().get(0);
    assertEquals("Warning", event.getType());
    assertEquals("BackendNotFound", event.getReason());
    assertEquals("ProxyRoute", event.getInvolvedObject().getKind());
    assertEquals("shop", event.getInvolvedObject().getName());
    assertEquals("portcullis.io/v1alpha1", event.getInvolvedObject().getApiVersion());
    assertEquals("portcullis-operator", event.getSource().getComponent());
    assertEquals(1, event.getCount());

    update(route, accepted(route, List.of()));
    await().pollDelay(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2)).until(() -> true);
    update(route, accepted(route, List.of(missing)));
    await().atMost(Duration.ofSeconds(10)).until(() -> events().get(0).getCount() == 2);
    assertEquals(1, events().size());
  }

  @Test
  void ingressesGetEventsButNoStatusWrites() {
    var ingress =
        client.resource(new IngressBuilder().withNewMetadata().withNamespace("shop").withName("web").endMetadata().build()).create();
    ObjectStatus status =
        new ObjectStatus(
            new ObjectRef("Ingress", "shop", "web", 1, ingress.getMetadata().getUid()),
            List.of(new ObjectStatus.Condition("Accepted", false, "Conflict", "host taken")),
            List.of(new ObjectStatus.Event(true, "Conflict", "a.example.com / is served by shop/older")),
            List.of());
    writer.update(ClusterState.empty(), new CompileResult(Snapshot.empty(), List.of(status)));
    await().atMost(Duration.ofSeconds(10)).until(() -> events().size() == 1);
    Event event = events().get(0);
    assertEquals("Ingress", event.getInvolvedObject().getKind());
    assertEquals("networking.k8s.io/v1", event.getInvolvedObject().getApiVersion());
    assertNotNull(event.getInvolvedObject().getUid());
    assertEquals(0, writes.get());
  }

  @Test
  void eachIngressAddressIsOneRequestToTheApiServer() throws Exception {
    List<io.fabric8.kubernetes.api.model.networking.v1.Ingress> ingresses = new java.util.ArrayList<>();
    List<ObjectStatus> statuses = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ingresses.add(client.resource(new IngressBuilder()
          .withNewMetadata().withNamespace("shop").withName("web-" + i).endMetadata().build()).create());
      statuses.add(new ObjectStatus(new ObjectRef("Ingress", "shop", "web-" + i, 1, null),
          List.of(new ObjectStatus.Condition(StatusWriter.ACCEPTED, true, "Accepted", "ok")),
          List.of(), List.of()));
    }
    while (server.getRequestCount() > 0 && server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS) != null) {
      // Drain the set-up's requests.
    }
    int before = server.getRequestCount();
    writer.publishAddresses(PublishedAddresses.fixed(List.of("10.0.0.1")));
    writer.update(new ClusterState(List.of(), ingresses, List.of(), List.of(), List.of(), List.of()),
        new CompileResult(Snapshot.empty(), statuses));
    await().atMost(MockApiServer.DEADLINE).until(() -> client.network().v1().ingresses().inNamespace("shop")
        .list().getItems().stream().allMatch(i -> i.getStatus() != null && i.getStatus().getLoadBalancer() != null
            && !i.getStatus().getLoadBalancer().getIngress().isEmpty()));
    int sent = server.getRequestCount() - before;
    List<String> writes = new java.util.ArrayList<>();
    for (int i = 0; i < sent; i++) {
      io.fabric8.mockwebserver.http.RecordedRequest r = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
      if (r != null && r.getPath().contains("/ingresses/web-")) {
        writes.add(r.getMethod() + " " + r.getPath().substring(r.getPath().indexOf("/ingresses/")));
      }
    }
    java.util.Collections.sort(writes);
    assertEquals(List.of("PATCH /ingresses/web-0/status", "PATCH /ingresses/web-1/status",
        "PATCH /ingresses/web-2/status", "PATCH /ingresses/web-3/status", "PATCH /ingresses/web-4/status"), writes);
  }
}
