package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Mock API server tier: the real operator on the fabric8 mock API server (CRUD mode), a real
 * dataplane in process fed over the real snapshot stream, real backends on loopback and a real
 * HTTP client. Everything the user declares goes through the API server, as in a cluster.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
@ExtendWith(ChartGrantsEveryRequest.class)
class MockApiServerEndToEndTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";

  KubernetesClient client;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LoopbackBackend alpha;
  private LoopbackBackend beta;
  private Operator operator;
  private int snapshotPort;
  private LiveConfig config;
  private ProxyServer proxy;
  private int proxyPort;
  private StreamClient streamClient;

  @BeforeEach
  void start() throws Exception {
    alpha = new LoopbackBackend("alpha");
    beta = new LoopbackBackend("beta");
    ApiServerFixtures.defaultIngressClass(client);
    service("alpha-svc", alpha);
    service("beta-svc", beta);

    operator = ApiServerFixtures.startOperator(client, 0);
    snapshotPort = operator.snapshotPort();
    config = new LiveConfig();
    ProxyMetrics metrics = new ProxyMetrics();
    proxy = new ProxyServer(ProxySettings.builder().bindAddress("127.0.0.1").port(0).build(), config, metrics);
    proxyPort = proxy.start();
    streamClient =
        new StreamClient(URI.create("http://127.0.0.1:" + snapshotPort), "dataplane-1", config, metrics);
    streamClient.start();
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {streamClient, proxy, operator, alpha, beta}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort: the next test starts from fresh ports
      }
    }
  }

  @Test
  void aRequestForAnIngressHostReachesItsServiceBackend() {
    ingress("shop", "shop.example.com", "/api", "alpha-svc");
    awaitBody("shop.example.com", "/api/items", 200, "alpha /api/items");
    assertEquals(404, get("shop.example.com", "/other").statusCode());
    assertEquals(404, get("unknown.example.com", "/api").statusCode());
  }

  @Test
  void updatesAndDeletesPropagateToTheDataplane() {
    ingress("shop", "shop.example.com", "/api", "alpha-svc");
    awaitBody("shop.example.com", "/api", 200, "alpha /api");

    ingress("shop", "shop.example.com", "/api", "beta-svc");
    awaitBody("shop.example.com", "/api", 200, "beta /api");

    client.network().v1().ingresses().inNamespace(NS).withName("shop").delete();
    await().atMost(DEADLINE).until(() -> get("shop.example.com", "/api").statusCode() == 404);
  }

  @Test
  void anEndpointChangeMovesTrafficWithoutTouchingRoutes() {
    ingress("shop", "shop.example.com", "/", "alpha-svc");
    awaitBody("shop.example.com", "/", 200, "alpha /");
    // Point alpha-svc's slice at the beta backend: only the cluster's endpoints change.
    endpointSlice("alpha-svc", beta.port());
    awaitBody("shop.example.com", "/", 200, "beta /");
  }

  @Test
  void aServiceWithoutReadyEndpointsAnswers503AndTheIngressIsToldWhy() {
    ingress("shop", "shop.example.com", "/", "missing-svc");
    await().atMost(DEADLINE).until(() -> get("shop.example.com", "/").statusCode() == 503);
    await()
        .atMost(DEADLINE)
        .until(
            () ->
                client.v1().events().inNamespace(NS).list().getItems().stream()
                    .filter(e -> "shop".equals(e.getInvolvedObject().getName()))
                    .map(Event::getMessage)
                    .anyMatch(m -> m != null && m.contains("missing-svc")));
  }

  @Test
  void theDataplaneKeepsServingWhileTheOperatorIsDownAndCatchesUpWhenItReturns() throws Exception {
    ingress("shop", "shop.example.com", "/", "alpha-svc");
    awaitBody("shop.example.com", "/", 200, "alpha /");

    operator.close();
    await().atMost(DEADLINE).until(() -> !streamClient.isConnected());
    for (int i = 0; i < 5; i++) {
      assertEquals("alpha /", get("shop.example.com", "/").body());
    }

    ingress("shop", "shop.example.com", "/", "beta-svc");
    operator = ApiServerFixtures.startOperator(client, snapshotPort);
    awaitBody("shop.example.com", "/", 200, "beta /");
  }

  @Test
  void aProxyRouteBecomesAcceptedResolvedAndProgrammed() {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("api").build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.hosts = List.of("api.example.com");
    ProxyRouteSpec.RouteSpec r = new ProxyRouteSpec.RouteSpec();
    r.match = new ProxyRouteSpec.Match();
    r.match.path = new ProxyRouteSpec.PathMatch();
    r.match.path.prefix = "/v1";
    ProxyRouteSpec.Backend backend = new ProxyRouteSpec.Backend();
    backend.service = "beta-svc";
    backend.port = 80;
    r.backends = List.of(backend);
    spec.routes = List.of(r);
    route.setSpec(spec);
    client.resource(route).create();

    awaitBody("api.example.com", "/v1/users", 200, "beta /v1/users");
    await()
        .atMost(DEADLINE)
        .until(
            () -> {
              ProxyRoute live = client.resources(ProxyRoute.class).inNamespace(NS).withName("api").get();
              if (live.getStatus() == null) {
                return false;
              }
              Map<String, String> byType = new java.util.HashMap<>();
              for (Condition c : live.getStatus().getConditions()) {
                byType.put(c.getType(), c.getStatus());
              }
              return "True".equals(byType.get("Accepted"))
                  && "True".equals(byType.get("ResolvedRefs"))
                  && "True".equals(byType.get("Programmed"));
            });
  }

  // ---------------------------------------------------------------- fixtures

  private void service(String name, LoopbackBackend backend) {
    Service service =
        new ServiceBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .addNewPort()
            .withName("http")
            .withPort(80)
            .withTargetPort(new IntOrString(backend.port()))
            .endPort()
            .endSpec()
            .build();
    client.resource(service).create();
    endpointSlice(name, backend.port());
  }

  private void endpointSlice(String service, int port) {
    EndpointSlice slice =
        new EndpointSliceBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(service + "-abc")
            .addToLabels("kubernetes.io/service-name", service)
            .endMetadata()
            .withAddressType("IPv4")
            .addNewEndpoint()
            .withAddresses("127.0.0.1")
            .withNewConditions()
            .withReady(true)
            .endConditions()
            .endEndpoint()
            .addNewPort()
            .withName("http")
            .withPort(port)
            .withProtocol("TCP")
            .endPort()
            .build();
    client.resource(slice).createOr(existing -> existing.update());
  }

  private void ingress(String name, String host, String path, String service) {
    Ingress ingress =
        new IngressBuilder()
            .withNewMetadata()
            .withNamespace(NS)
            .withName(name)
            .endMetadata()
            .withNewSpec()
            .addNewRule()
            .withHost(host)
            .withNewHttp()
            .addNewPath()
            .withPath(path)
            .withPathType("Prefix")
            .withNewBackend()
            .withNewService()
            .withName(service)
            .withNewPort()
            .withNumber(80)
            .endPort()
            .endService()
            .endBackend()
            .endPath()
            .endHttp()
            .endRule()
            .endSpec()
            .build();
    client.resource(ingress).createOr(existing -> existing.update());
  }

  private void awaitBody(String host, String path, int status, String body) {
    await()
        .atMost(DEADLINE)
        .untilAsserted(
            () -> {
              HttpResponse<String> response = get(host, path);
              assertEquals(status, response.statusCode(), () -> "body: " + response.body());
              assertEquals(body, response.body());
            });
  }

  private HttpResponse<String> get(String host, String path) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
              .header("Host", host)
              .timeout(Duration.ofSeconds(5))
              .GET()
              .build();
      return http.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request to the dataplane failed: " + e, e);
    }
  }
}
