package io.portcullis.operator.source;

import io.portcullis.operator.crd.PolicySpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.cache.EndpointsConverter;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.source.KubernetesSource.EndpointsKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServer;
import io.portcullis.operator.MockApiServerSettled;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class KubernetesSourceTest {
  KubernetesClient client;

  private final AtomicInteger changes = new AtomicInteger();
  private KubernetesSource source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  private void start(List<String> namespaces, EndpointsKind kind, Duration resync) throws Exception {
    source = new KubernetesSource(client, namespaces, kind, resync, Duration.ofSeconds(30));
    source.start(changes::incrementAndGet);
  }

  private static ObjectMetaBuilder meta(String ns, String name) {
    return new ObjectMetaBuilder().withNamespace(ns).withName(name);
  }

  private static ProxyRoute proxyRoute(String ns, String name, String host) {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(meta(ns, name).build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.hosts.add(host);
    route.setSpec(spec);
    return route;
  }

  private static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream()
        .map(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
        .toList();
  }

  private void awaitState(Function<ClusterState, Boolean> condition) {
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.apply(source.state()));
  }

  private void createOneOfEach(String ns) {
    client.resource(new IngressBuilder().withMetadata(meta(ns, "ing").build()).build()).create();
    client.resource(proxyRoute(ns, "pxr", "a.example.com")).create();
    client.resource(new ServiceBuilder().withMetadata(meta(ns, "svc").build()).build()).create();
    client
        .resource(
            new EndpointSliceBuilder()
                .withMetadata(meta(ns, "svc-abc").build())
                .withAddressType("IPv4")
                .build())
        .create();
    client.resource(new SecretBuilder().withMetadata(meta(ns, "tls").build()).withType("kubernetes.io/tls").build()).create();
  }

  @Test
  void theFirstStateAfterStartHoldsEveryListedObject() throws Exception {
    // An informer's start completes when its list is in its own store; it hands the listed
    // objects to the source's handler afterwards, one at a time on its task executor. Slow every
    // task of that executor down by 2 ms (on a pool, as the client's own executor is) so the
    // handler is still far behind when start() returns: the state for the first compile must hold
    // every listed object anyway.
    int n = 300;
    for (int i = 0; i < n; i++) {
      client.resource(new ServiceBuilder().withMetadata(meta("shop", "svc-" + i).build()).build()).create();
      client.resource(new EndpointSliceBuilder().withMetadata(meta("shop", "svc-" + i + "-abc").build())
          .withAddressType("IPv4").build()).create();
    }
    ExecutorService handlerThreads = Executors.newCachedThreadPool();
    Executor lagging = task -> handlerThreads.execute(() -> {
      LockSupport.parkNanos(2_000_000);
      task.run();
    });
    try (KubernetesClient slowHandlers = new KubernetesClientBuilder()
        .withConfig(client.getConfiguration()).withTaskExecutor(lagging).build()) {
      source = new KubernetesSource(slowHandlers, List.of(), EndpointsKind.ENDPOINT_SLICES,
          Duration.ofMinutes(10), Duration.ofSeconds(30));
      source.start(changes::incrementAndGet);
      ClusterState first = source.state();
      // Closing with deliveries still in flight stalls the mock API server for up to 30 s.
      await().atMost(MockApiServer.DEADLINE).until(() -> source.deliveries() >= 2L * n);
      source.close();
      source = null;
      assertEquals(n, first.services().size());
      assertEquals(n, first.endpointSlices().size());
    } finally {
      handlerThreads.shutdownNow();
    }
  }

  @Test
  void objectsAreKeptWithoutManagedFieldsOrKubectlsCopyOfThem() throws Exception {
    client.resource(new IngressBuilder().withMetadata(meta("shop", "ing")
        .withManagedFields(new io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder()
            .withManager("kubectl-client-side-apply").withOperation("Update").withApiVersion("networking.k8s.io/v1")
            .build())
        .withAnnotations(java.util.Map.of(
            SlimObjects.LAST_APPLIED, "{\"kind\":\"Ingress\",\"metadata\":{\"name\":\"ing\"}}",
            "nginx.ingress.kubernetes.io/rewrite-target", "/"))
        .build()).build()).create();
    assertEquals(1, client.network().v1().ingresses().inNamespace("shop").withName("ing").get()
        .getMetadata().getManagedFields().size(), "the API server keeps them");

    start(List.of(), EndpointsKind.ENDPOINT_SLICES, Duration.ofMinutes(10));

    var kept = source.state().ingresses().get(0).getMetadata();
    assertTrue(kept.getManagedFields() == null || kept.getManagedFields().isEmpty());
    // What the compiler reads stays.
    assertEquals(java.util.Map.of("nginx.ingress.kubernetes.io/rewrite-target", "/"), kept.getAnnotations());
  }

  @Test
  void onlyTlsSecretsAreWatchedOthersOnlyWhenNamed() throws Exception {
    createOneOfEach("shop");
    // Opaque Secrets (htpasswd files, CA bundles) come in only when a route names them (looked up
    // by name); no other Secret's data is held.
    client.resource(new SecretBuilder().withMetadata(meta("shop", "htpasswd").build()).withType("Opaque").build()).create();
    client.resource(new SecretBuilder().withMetadata(meta("shop", "sa-token").build())
        .withType("kubernetes.io/service-account-token").build()).create();
    start(List.of(), EndpointsKind.ENDPOINT_SLICES, Duration.ofMinutes(10));
    assertEquals(List.of("shop/tls"), names(source.state().secrets()).stream().sorted().toList());
  }

  @Test
  void anOpaqueCaBundleAProxyRouteNamesForBackendTlsIsLookedUp() throws Exception {
    client.resource(new SecretBuilder().withMetadata(meta("shop", "backend-ca").build()).withType("Opaque")
        .addToData("ca.crt", "LS0t").build()).create();
    start(List.of(), EndpointsKind.ENDPOINT_SLICES, Duration.ofMinutes(10));
    ProxyRoute route = proxyRoute("shop", "api", "api.example.com");
    ProxyRouteSpec.RouteSpec r = new ProxyRouteSpec.RouteSpec();
    ProxyRouteSpec.Backend backend = new ProxyRouteSpec.Backend();
    backend.service = "api";
    backend.port = 443;
    backend.tls = new PolicySpec.BackendTls();
    backend.tls.caSecret = "backend-ca";
    r.backends = List.of(backend);
    route.getSpec().routes = List.of(r);
    client.resource(route).create();

    awaitState(s -> names(s.secrets()).contains("shop/backend-ca"));
  }

  @Test
  void aSecretOfAnotherTypeThatARouteNamesIsLookedUpByNameAndForgottenWhenNoLongerNamed() throws Exception {
    createOneOfEach("shop");
    client.resource(new SecretBuilder().withMetadata(meta("shop", "db-password").build()).withType("Opaque").build()).create();
    client.resource(new SecretBuilder().withMetadata(meta("shop", "site-cert").build()).withType("Opaque").build()).create();
    start(List.of(), EndpointsKind.ENDPOINT_SLICES, Duration.ofMinutes(10));
    client.resource(new IngressBuilder().withMetadata(meta("shop", "site").build())
        .withNewSpec().addNewTl().withHosts("site.example.com").withSecretName("site-cert").endTl().endSpec()
        .build()).create();

    // The compiler sees it with its type (and reports "is of type Opaque", not "not found");
    // the Secret nothing names stays out.
    awaitState(s -> names(s.secrets()).contains("shop/site-cert"));
    assertEquals(List.of("shop/site-cert", "shop/tls"), names(source.state().secrets()).stream().sorted().toList());
    assertEquals("Opaque", source.state().secrets().stream()
        .filter(x -> x.getMetadata().getName().equals("site-cert")).findFirst().orElseThrow().getType());

    client.network().v1().ingresses().inNamespace("shop").withName("site").delete();
    awaitState(s -> !names(s.secrets()).contains("shop/site-cert"));
  }

  @Test
  void seesCreatesUpdatesAndDeletesOfEveryKind() throws Exception {
    client
        .resource(
            new IngressClassBuilder()
                .withNewMetadata().withName("portcullis").endMetadata()
                .withNewSpec().withController("portcullis.io/ingress-controller").endSpec()
                .build())
        .create();
    createOneOfEach("shop");
    start(List.of(), EndpointsKind.ENDPOINT_SLICES, Duration.ofMinutes(10));

    assertTrue(source.synced());
    assertEquals(1, changes.get(), "one notification when synced, none while listing");
    ClusterState state = source.state();
    assertEquals(List.of("portcullis"), state.ingressClasses().stream().map(c -> c.getMetadata().getName()).toList());
    assertEquals(List.of("shop/ing"), names(state.ingresses()));
    assertEquals(List.of("shop/pxr"), names(state.proxyRoutes()));
    assertEquals(List.of("shop/svc"), names(state.services()));
    assertEquals(List.of("shop/svc-abc"), names(state.endpointSlices()));
    assertEquals(List.of("shop/tls"), names(state.secrets()));

    client.resource(proxyRoute("shop", "pxr", "b.example.com")).update();
    awaitState(s -> s.proxyRoutes().get(0).getSpec().hosts.equals(List.of("b.example.com")));
    createOneOfEach("other");
    awaitState(s -> s.secrets().size() == 2 && s.endpointSlices().size() == 2 && s.ingresses().size() == 2);

    client.resources(ProxyRoute.class).inNamespace("shop").withName("pxr").delete();
    client.secrets().inNamespace("shop").withName("tls").delete();
    client.network().v1().ingressClasses().withName("portcullis").delete();
    awaitState(s -> s.proxyRoutes().size() == 1 && s.secrets().size() == 1 && s.ingressClasses().isEmpty());
    assertEquals(List.of("other/pxr"), names(source.state().proxyRoutes()));
    assertTrue(changes.get() > 1);
  }

  @Test
  void watchingSomeNamespacesIgnoresTheOthers() throws Exception {
    createOneOfEach("shop");
    createOneOfEach("payments");
    createOneOfEach("secret-stuff");
    start(List.of("shop", "payments"), EndpointsKind.ENDPOINT_SLICES, Duration.ofMinutes(10));
    assertEquals(List.of("payments/svc", "shop/svc"), names(source.state().services()));
    assertEquals(List.of("payments/tls", "shop/tls"), names(source.state().secrets()));

    int before = changes.get();
    client.resource(new ServiceBuilder().withMetadata(meta("secret-stuff", "extra").build()).build()).create();
    client.resource(new ServiceBuilder().withMetadata(meta("shop", "extra").build()).build()).create();
    awaitState(s -> s.services().size() == 3);
    assertEquals(List.of("payments/svc", "shop/extra", "shop/svc"), names(source.state().services()));
    assertTrue(changes.get() > before);
  }

  @Test
  void endpointsModeConvertsCoreEndpointsAndIgnoresSlices() throws Exception {
    createOneOfEach("shop");
    client
        .resource(
            new EndpointsBuilder()
                .withMetadata(meta("shop", "svc").build())
                .addNewSubset()
                .addNewAddress().withIp("10.1.0.1").endAddress()
                .addNewNotReadyAddress().withIp("10.1.0.2").endNotReadyAddress()
                .addNewPort().withName("http").withPort(8080).endPort()
                .endSubset()
                .build())
        .create();
    start(List.of(), EndpointsKind.ENDPOINTS, Duration.ofMinutes(10));
    var slices = source.state().endpointSlices();
    assertEquals(1, slices.size());
    assertEquals("svc", slices.get(0).getMetadata().getLabels().get(EndpointsConverter.SERVICE_NAME_LABEL));
    assertEquals(2, slices.get(0).getEndpoints().size());
    assertTrue(slices.get(0).getEndpoints().get(0).getConditions().getReady());
    assertFalse(slices.get(0).getEndpoints().get(1).getConditions().getReady());

    client.endpoints().inNamespace("shop").withName("svc").delete();
    awaitState(s -> s.endpointSlices().isEmpty());
  }

  @Test
  void resyncsThatChangeNothingDoNotNotify() throws Exception {
    createOneOfEach("shop");
    start(List.of(), EndpointsKind.ENDPOINT_SLICES, Duration.ofSeconds(1));
    int afterSync = changes.get();
    long listed = source.deliveries();
    // Informers re-deliver every object as an update at each resync (1 s is fabric8's minimum).
    await().atMost(Duration.ofSeconds(10)).until(() -> source.deliveries() >= listed * 2);
    assertEquals(afterSync, changes.get());
    // A real change still gets through.
    client.resource(new ServiceBuilder().withMetadata(meta("shop", "svc2").build()).build()).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> changes.get() > afterSync);
  }
}
