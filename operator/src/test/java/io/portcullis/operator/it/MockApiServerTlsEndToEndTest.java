package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.proxy.Router;
import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.dataplane.stream.StreamClientSettings;
import io.portcullis.dataplane.tls.CertificateStore;
import io.portcullis.operator.Main;
import io.portcullis.operator.Operator;
import io.portcullis.operator.OperatorOptions;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.operator.compile.TestCertificates;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.operator.tls.GeneratedCertificate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Mock API server tier for TLS: a {@code kubernetes.io/tls} Secret named by an Ingress reaches the
 * dataplane's HTTPS listener through the real operator and stream; a changed Secret switches new
 * handshakes; a broken one is reported on the Ingress and its host falls back to the generated
 * default certificate.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
@ExtendWith(ChartGrantsEveryRequest.class)
class MockApiServerTlsEndToEndTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";
  private static final String HOST = "shop.example.com";

  KubernetesClient client;

  private LoopbackBackend alpha;
  private Operator operator;
  private ProxyServer proxy;
  private CertificateStore certificates;
  private StreamClient streamClient;
  private int httpPort;
  private int httpsPort;

  @BeforeEach
  void start() throws Exception {
    alpha = new LoopbackBackend("alpha");
    ApiServerFixtures.defaultIngressClass(client);
    client.resource(new ServiceBuilder().withNewMetadata().withNamespace(NS).withName("alpha-svc")
        .endMetadata().withNewSpec().addNewPort().withName("http").withPort(80)
        .withTargetPort(new IntOrString(alpha.port())).endPort().endSpec().build()).create();
    client.resource(new EndpointSliceBuilder().withNewMetadata().withNamespace(NS).withName("alpha-abc")
        .addToLabels("kubernetes.io/service-name", "alpha-svc").endMetadata().withAddressType("IPv4")
        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(true).endConditions()
        .endEndpoint().addNewPort().withName("http").withPort(alpha.port()).withProtocol("TCP").endPort()
        .build()).create();

    OperatorOptions options = OperatorOptions.parse(new String[] {
        "--snapshot-port", "0", "--snapshot-address", "127.0.0.1", "--metrics-port", "0"}, Map.of());
    Compiler compiler = new Compiler(options.compilerSettings().withDefaultCertificate(
        new DefaultCertificate(null, GeneratedCertificate.create(Instant.now()))));
    KubernetesClient operatorClient = ChartGrantsEveryRequest.operatorClient(client);
    operator = new Operator(options, new KubernetesSource(operatorClient, List.of(), options.endpointsSource()),
        new KubernetesStatusSink(operatorClient), state -> compiler.compile(state.withNow(Instant.now())),
        new SnapshotStore(), Main.streamServer());
    operator.start();

    ProxyServer[] self = new ProxyServer[1];
    LiveConfig config = new LiveConfig(StandardFilters.chains(() -> self[0].httpsPort()));
    ProxyMetrics metrics = new ProxyMetrics();
    certificates = new CertificateStore();
    certificates.attachTo(config);
    proxy = new ProxyServer(ProxySettings.builder().bindAddress("127.0.0.1").port(0).build(),
        Router.of(config), metrics);
    self[0] = proxy;
    httpPort = proxy.start();
    httpsPort = proxy.startHttps(0, certificates);
    streamClient = new StreamClient(URI.create("http://127.0.0.1:" + operator.snapshotPort()),
        "dataplane-1", config, metrics, StreamClientSettings.defaults(),
        io.portcullis.dataplane.stream.ConfigApplier.of(config));
    streamClient.start();
  }

  @AfterEach
  void stop() {
    for (AutoCloseable c : new AutoCloseable[] {streamClient, proxy, certificates, operator, alpha}) {
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
  void aTlsSecretIsServedRotatedAndWhenBrokenReportedWithTheDefaultCertificateStandingIn()
      throws Exception {
    TestCertificates.Issued first = TestCertificates.issueNow(HOST);
    secret(first.certificatePem(), first.pkcs8KeyPem());
    client.resource(new IngressBuilder().withNewMetadata().withNamespace(NS).withName("shop").endMetadata()
        .withNewSpec().addNewTl().withHosts(HOST).withSecretName("shop-tls").endTl()
        .addNewRule().withHost(HOST).withNewHttp().addNewPath().withPath("/").withPathType("Prefix")
        .withNewBackend().withNewService().withName("alpha-svc").withNewPort().withNumber(80).endPort()
        .endService().endBackend().endPath().endHttp().endRule().endSpec().build()).create();

    await().atMost(DEADLINE).ignoreExceptions().until(() -> presented(HOST).equals(first.certificate()));
    assertTrue(https(HOST, "/items").endsWith("alpha /items"), https(HOST, "/items"));
    String plain = plainHttp(HOST, "/items");
    assertTrue(plain.startsWith("HTTP/1.1 308") && plain.contains("https://" + HOST + "/items"), plain);

    TestCertificates.Issued second = TestCertificates.issueNow(HOST);
    secret(second.certificatePem(), second.pkcs8KeyPem());
    await().atMost(DEADLINE).ignoreExceptions().until(() -> presented(HOST).equals(second.certificate()));

    secret(second.certificatePem(), first.pkcs8KeyPem()); // a key that does not match
    await().atMost(DEADLINE).ignoreExceptions().until(() -> presented(HOST).getSubjectX500Principal().getName()
        .contains(GeneratedCertificate.COMMON_NAME));
    await().atMost(DEADLINE).until(() -> client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> "shop".equals(e.getInvolvedObject().getName()))
        .map(Event::getMessage)
        .anyMatch(m -> m != null && m.contains("shop/shop-tls") && m.contains("does not belong")));
    assertTrue(https(HOST, "/still").endsWith("alpha /still"));
  }

  // ---------------------------------------------------------------- helpers

  private void secret(String certPem, String keyPem) {
    Secret s = TestCertificates.tlsSecret(NS, "shop-tls", certPem, keyPem);
    s.getMetadata().setCreationTimestamp(null);
    client.resource(s).createOr(existing -> existing.update());
  }

  /** Trusts whatever is presented: these tests look at which certificate it is. */
  private static SSLContext anyCertificate() throws Exception {
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, new TrustManager[] {new X509TrustManager() {
      @Override
      public void checkClientTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public void checkServerTrusted(X509Certificate[] chain, String authType) {}

      @Override
      public X509Certificate[] getAcceptedIssuers() {
        return new X509Certificate[0];
      }
    }}, null);
    return context;
  }

  private SSLSocket handshake(String sni) throws Exception {
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress("127.0.0.1", httpsPort), 5000);
    raw.setSoTimeout(10_000);
    SSLSocket s = (SSLSocket) anyCertificate().getSocketFactory().createSocket(raw, "127.0.0.1", httpsPort, true);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(List.of(new SNIHostName(sni)));
    s.setSSLParameters(p);
    s.startHandshake();
    return s;
  }

  private X509Certificate presented(String sni) throws Exception {
    try (SSLSocket s = handshake(sni)) {
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }

  private String https(String host, String path) throws Exception {
    try (SSLSocket s = handshake(host)) {
      return exchange(s, host, path);
    }
  }

  private String plainHttp(String host, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", httpPort), 5000);
      s.setSoTimeout(10_000);
      return exchange(s, host, path);
    }
  }

  private static String exchange(Socket s, String host, String path) throws IOException {
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    s.getInputStream().transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
