package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/**
 * IP rules declared through the API server (the fabric8 mock in CRUD mode), compiled by the real
 * operator, streamed to a real dataplane, and asked by clients from two loopback addresses
 * (127.0.0.1 and 127.0.0.2). Unreadable lists fail closed and the object is told why.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class IpRulesThroughApiServerTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";

  KubernetesClient client;

  private LoopbackBackend backend;
  private Operator operator;
  private ProxyServer proxy;
  private int proxyPort;
  private StreamClient streamClient;

  @BeforeEach
  void start() throws Exception {
    backend = new LoopbackBackend("app");
    ApiServerFixtures.defaultIngressClass(client);
    client.resource(new ServiceBuilder().withNewMetadata().withNamespace(NS).withName("app")
        .endMetadata().withNewSpec().addNewPort().withName("http").withPort(80)
        .withTargetPort(new IntOrString(backend.port())).endPort().endSpec().build()).create();
    client.resource(new EndpointSliceBuilder().withNewMetadata().withNamespace(NS)
        .withName("app-abc").addToLabels("kubernetes.io/service-name", "app").endMetadata()
        .withAddressType("IPv4").addNewEndpoint().withAddresses("127.0.0.1").withNewConditions()
        .withReady(true).endConditions().endEndpoint().addNewPort().withName("http")
        .withPort(backend.port()).withProtocol("TCP").endPort().build()).create();
    operator = ApiServerFixtures.startOperator(client, 0);
    LiveConfig config = new LiveConfig();
    ProxyMetrics metrics = new ProxyMetrics();
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).build(), config, metrics);
    proxyPort = proxy.start();
    streamClient = new StreamClient(
        URI.create("http://127.0.0.1:" + operator.snapshotPort()), "dataplane-1", config, metrics);
    streamClient.start();
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {streamClient, proxy, operator, backend}) {
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
  @DisplayName("Ingress ip-allow and ip-deny: an allowed client is served, a denied one gets 403")
  void ingressAnnotations() {
    ingress(Map.of("portcullis.io/ip-allow", "127.0.0.0/8", "portcullis.io/ip-deny", "127.0.0.2"));
    await().atMost(DEADLINE).until(() -> status("127.0.0.1", "ip.example.com") == 200);
    assertEquals(403, status("127.0.0.2", "ip.example.com"));
  }

  @Test
  @DisplayName("an unreadable ip-allow annotation fails closed: 403 for everyone, and an Event says why")
  void badAnnotationFailsClosed() {
    ingress(Map.of("portcullis.io/ip-allow", "127.0.0.0/8, 127.0.0.1/33"));
    await().atMost(DEADLINE).until(() -> status("127.0.0.1", "ip.example.com") == 403);
    await().atMost(DEADLINE).until(() -> client.v1().events().inNamespace(NS).list().getItems()
        .stream().filter(e -> "ip".equals(e.getInvolvedObject().getName()))
        .anyMatch(e -> "InvalidIpRules".equals(e.getReason())
            && e.getMessage().contains("portcullis.io/ip-allow")
            && e.getMessage().contains("'127.0.0.1/33' is not an IP address or CIDR")));
  }

  @Test
  @DisplayName("an unreadable ProxyRoute ipDeny fails closed: Accepted=False InvalidIpRules, and 403")
  void badProxyRouteFailsClosed() {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace(NS).withName("api").build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.hosts = List.of("api.example.com");
    spec.ipDeny = List.of("127.0.0.2", "127.0.0.0/8/8");
    ProxyRouteSpec.RouteSpec r = new ProxyRouteSpec.RouteSpec();
    ProxyRouteSpec.Backend b = new ProxyRouteSpec.Backend();
    b.service = "app";
    b.port = 80;
    r.backends = List.of(b);
    spec.routes = List.of(r);
    route.setSpec(spec);
    client.resource(route).create();

    await().atMost(DEADLINE).until(() -> {
      ProxyRoute live = client.resources(ProxyRoute.class).inNamespace(NS).withName("api").get();
      if (live.getStatus() == null || live.getStatus().getConditions() == null) {
        return false;
      }
      return live.getStatus().getConditions().stream().anyMatch(c -> c.getType().equals("Accepted")
          && c.getStatus().equals("False") && c.getReason().equals("InvalidIpRules")
          && c.getMessage().contains("spec.ipDeny: '127.0.0.0/8/8'"));
    });
    await().atMost(DEADLINE).until(() -> status("127.0.0.1", "api.example.com") == 403);
    await().atMost(DEADLINE).until(() -> client.v1().events().inNamespace(NS).list().getItems()
        .stream().map(Event::getReason).anyMatch("InvalidIpRules"::equals));
  }

  private void ingress(Map<String, String> annotations) {
    client.resource(new IngressBuilder().withNewMetadata().withNamespace(NS).withName("ip")
        .withAnnotations(annotations).endMetadata().withNewSpec().addNewRule()
        .withHost("ip.example.com").withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName("app").withNewPort().withNumber(80).endPort()
        .endService().endBackend().endPath().endHttp().endRule().endSpec().build())
        .createOr(existing -> existing.update());
  }

  /** The status of {@code GET /} to {@code host} from a socket bound to {@code source}. */
  private int status(String source, String host) {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(5_000);
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", proxyPort), 5_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(all);
      return Integer.parseInt(all.toString(StandardCharsets.US_ASCII).substring(9, 12));
    } catch (Exception e) {
      throw new AssertionError("request from " + source + " failed: " + e, e);
    }
  }
}
