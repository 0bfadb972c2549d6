package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Mock API server tier: the real operator with {@code --ingress-nginx-compat true} serves an
 * Ingress of ingress-nginx's class through a real dataplane, and writes a real Event for the
 * snippet annotation it refuses.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
@ExtendWith(ChartGrantsEveryRequest.class)
class NginxCompatApiServerTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";

  KubernetesClient client;

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private LoopbackBackend api;
  private Operator operator;
  private ProxyServer proxy;
  private int proxyPort;
  private StreamClient streamClient;

  @BeforeEach
  void start() throws Exception {
    api = new LoopbackBackend("api");
    client.resource(new IngressClassBuilder().withNewMetadata().withName("nginx").endMetadata()
        .withNewSpec().withController("k8s.io/ingress-nginx").endSpec().build()).create();
    client.resource(new ServiceBuilder().withNewMetadata().withNamespace(NS).withName("api").endMetadata()
        .withNewSpec().addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(api.port()))
        .endPort().endSpec().build()).create();
    client.resource(new EndpointSliceBuilder().withNewMetadata().withNamespace(NS).withName("api-abc")
        .addToLabels("kubernetes.io/service-name", "api").endMetadata().withAddressType("IPv4")
        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions()
        .endEndpoint().addNewPort().withName("http").withPort(api.port()).withProtocol("TCP").endPort()
        .build()).create();
    operator = ApiServerFixtures.startOperator(client, 0, "--ingress-nginx-compat", "true");
    LiveConfig config = new LiveConfig();
    ProxyMetrics metrics = new ProxyMetrics();
    proxy = new ProxyServer(ProxySettings.builder().bindAddress("127.0.0.1").port(0).build(), config, metrics);
    proxyPort = proxy.start();
    streamClient = new StreamClient(URI.create("http://127.0.0.1:" + operator.snapshotPort()),
        "dataplane-1", config, metrics);
    streamClient.start();
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {streamClient, proxy, operator, api}) {
      try {
        if (c != null) {
          c.close();
        }
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void anNginxIngressIsServedAndItsSnippetRefusedWithAnEvent() {
    client.resource(new IngressBuilder().withNewMetadata().withNamespace(NS).withName("shop")
        .withAnnotations(Map.of(
            "nginx.ingress.kubernetes.io/rewrite-target", "/$2",
            "nginx.ingress.kubernetes.io/configuration-snippet", "more_set_headers \"X-A: b\";"))
        .endMetadata()
        .withNewSpec().withIngressClassName("nginx").addNewRule().withHost("shop.example.com")
        .withNewHttp().addNewPath().withPath("/api(/|$)(.*)").withPathType("ImplementationSpecific")
        .withNewBackend().withNewService().withName("api").withNewPort().withNumber(80).endPort()
        .endService().endBackend().endPath().endHttp().endRule().endSpec().build()).create();

    await().atMost(DEADLINE).untilAsserted(() -> {
      HttpResponse<String> response = get("shop.example.com", "/api/users");
      assertEquals(200, response.statusCode(), response::body);
      assertEquals("api /users", response.body());
    });
    await().atMost(DEADLINE).until(() -> client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "shop".equals(e.getInvolvedObject().getName()))
        .filter(e -> "NginxAnnotationRefused".equals(e.getReason()) && "Warning".equals(e.getType()))
        .map(Event::getMessage)
        .anyMatch(m -> m.contains("nginx.ingress.kubernetes.io/configuration-snippet")));
  }

  private HttpResponse<String> get(String host, String path) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
          .header("Host", host).timeout(Duration.ofSeconds(5)).GET().build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request to the dataplane failed: " + e, e);
    }
  }
}
