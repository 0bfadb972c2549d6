package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.dataplane.tls.CertificateStore;
import io.portcullis.dataplane.tls.TestPki;
import io.portcullis.dataplane.tls.TlsConfigApplier;
import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The HTTPS listener with real handshakes: SNI choice, protocols, ALPN, redirects, HSTS, rotation. */
class HttpsListenerTest {
  private static final String SHOP = "shop.example.com";
  private static final String DEFAULT_NAME = "portcullis.io/generated-default";

  private final TestPki pki = new TestPki();
  private final TlsCertificate shopCert = pki.issue("default/shop-tls", SHOP);
  private final TlsCertificate wildCert = pki.issue("default/wild-tls", "*.example.com");
  private final TlsCertificate defaultCert = pki.issue(DEFAULT_NAME, "localhost");
  private final TestBackend backend = new TestBackend();
  private final ProxyServer[] self = new ProxyServer[1];
  private final LiveConfig config =
      new LiveConfig(StandardFilters.chains(() -> self[0] == null ? -1 : self[0].httpsPort()));
  private final CertificateStore store = new CertificateStore();
  private final TlsConfigApplier applier = new TlsConfigApplier(config, store);
  private final ProxyMetrics metrics = new ProxyMetrics();
  private ProxyServer proxy;
  private int httpPort;
  private int httpsPort;
  private int backendPort;

  @BeforeEach
  void start() {
    backendPort = backend.start();
    applier.apply(snapshot(shopCert, defaultCert));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(2).build(),
        Router.of(config), metrics);
    self[0] = proxy;
    httpPort = proxy.start();
    httpsPort = proxy.startHttps(0, store);
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
    store.close();
  }

  private Snapshot snapshot(TlsCertificate shop, TlsCertificate fallback) {
    Cluster web = new Cluster("default/web:80", List.of(new Endpoint("127.0.0.1", backendPort)));
    return Snapshot.of(
        List.of(
            host(SHOP, new TlsPolicy(shop.name(), true, new TlsPolicy.Hsts(600, false))),
            host("*.example.com", new TlsPolicy(wildCert.name(), false, null)),
            host("broken.example.net", new TlsPolicy(null, true, null)),
            host("plain.example.org", null),
            host("localhost", null)),
        List.of(web), null, List.of(shop, wildCert, fallback), fallback.name());
  }

  private static VirtualHost host(String name, TlsPolicy tls) {
    return new VirtualHost(name, List.of(Route.of("r/" + name, RouteMatch.path(new PathMatch.Prefix("/")),
        RouteAction.Forward.to("default/web:80"))), tls);
  }

  // ------------------------------------------------------------------ SNI

  @Test
  @DisplayName("an exact SNI name gets its own certificate, and the request is proxied as https")
  void exactName() throws IOException {
    try (SSLSocket s = handshake(SHOP, "TLSv1.3", "TLSv1.2")) {
      assertEquals(List.of(SHOP), names(s));
      String response = exchange(s, SHOP, "/hello");
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertTrue(response.toLowerCase().contains("strict-transport-security: max-age=600"), response);
    }
    assertEquals("https", backend.requests.get(0).headers().get("x-forwarded-proto"));
  }

  @Test
  @DisplayName("a name one label below a wildcard host gets the wildcard certificate")
  void wildcardName() throws IOException {
    try (SSLSocket s = handshake("api.example.com", "TLSv1.3")) {
      assertEquals(List.of("*.example.com"), names(s));
      String response = exchange(s, "api.example.com", "/");
      assertTrue(response.startsWith("HTTP/1.1 200"), response);
      assertFalse(response.toLowerCase().contains("strict-transport-security"), response);
    }
  }

  @Test
  @DisplayName("an unknown SNI name, a host whose Secret was bad, and no SNI at all get the default")
  void unknownNameGetsDefault() throws IOException {
    for (String sni : new String[] {"unknown.example.org", "a.b.example.com", "broken.example.net", null}) {
      try (SSLSocket s = handshake(sni, "TLSv1.3")) {
        assertEquals(List.of("localhost"), names(s), "SNI " + sni);
      }
    }
  }

  @Test
  @DisplayName("without a default certificate an unknown name's handshake fails; known names still work")
  void noDefaultCertificate() throws IOException {
    Cluster web = new Cluster("default/web:80", List.of(new Endpoint("127.0.0.1", backendPort)));
    applier.apply(Snapshot.of(
        List.of(host(SHOP, new TlsPolicy(shopCert.name(), true, null))), List.of(web), null,
        List.of(shopCert), null));
    assertThrows(IOException.class, () -> handshake("unknown.example.org", "TLSv1.3").close());
    assertThrows(IOException.class, () -> handshake(null, "TLSv1.3").close());
    try (SSLSocket s = handshake(SHOP, "TLSv1.3")) {
      assertTrue(exchange(s, SHOP, "/").startsWith("HTTP/1.1 200"));
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(scrape().contains(
        "portcullis_tls_handshakes_total{protocol=\"none\",result=\"no_certificate\"} 2"), scrape()));
  }

  @Test
  @DisplayName("plain HTTP sent to the HTTPS port gets the connection closed")
  void plainHttpOnTheHttpsPort() throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", httpsPort), 5000);
      s.setSoTimeout(10_000);
      String response;
      try {
        response = exchange(s, SHOP, "/");
      } catch (IOException e) {
        response = "closed: " + e; // a reset is as good as a close here
      }
      assertFalse(response.startsWith("HTTP/"), response);
    }
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertTrue(scrape().contains(
        "portcullis_tls_handshakes_total{protocol=\"none\",result=\"failed\"} 1"), scrape()));
    try (SSLSocket s = handshake(SHOP, "TLSv1.3")) {
      assertTrue(exchange(s, SHOP, "/").startsWith("HTTP/1.1 200"));
    }
  }

  // ------------------------------------------------------------------ protocols

  @Test
  @DisplayName("TLS 1.2 and TLS 1.3 both handshake; TLS 1.1 is refused")
  void protocols() throws IOException {
    try (SSLSocket s = handshake(SHOP, "TLSv1.2")) {
      assertEquals("TLSv1.2", s.getSession().getProtocol());
      assertTrue(s.getSession().getCipherSuite().contains("GCM")
          || s.getSession().getCipherSuite().contains("CHACHA20"), s.getSession().getCipherSuite());
      assertTrue(exchange(s, SHOP, "/").startsWith("HTTP/1.1 200"));
    }
    try (SSLSocket s = handshake(SHOP, "TLSv1.3")) {
      assertEquals("TLSv1.3", s.getSession().getProtocol());
    }
    assertThrows(SSLException.class, () -> handshake(SHOP, "TLSv1.1").close());
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      String text = scrape();
      assertTrue(text.contains("portcullis_tls_handshakes_total{protocol=\"TLSv1.2\",result=\"ok\"} 1"), text);
      assertTrue(text.contains("portcullis_tls_handshakes_total{protocol=\"TLSv1.3\",result=\"ok\"} 1"), text);
    });
  }

  @Test
  @DisplayName("a returning TLS 1.2 client resumes its session instead of a full handshake")
  void resumption() throws IOException {
    javax.net.ssl.SSLContext client = pki.clientContext();
    long firstCreated;
    byte[] firstId;
    try (SSLSocket s = handshakeWith(client, SHOP, "TLSv1.2")) {
      firstCreated = s.getSession().getCreationTime();
      firstId = s.getSession().getId();
    }
    try (SSLSocket s = handshakeWith(client, SHOP, "TLSv1.2")) {
      assertEquals(firstCreated, s.getSession().getCreationTime(), "a new session was negotiated");
      assertTrue(java.util.Arrays.equals(firstId, s.getSession().getId()));
    }
  }

  @Test
  @DisplayName("ALPN picks h2 when the client offers h2 and http/1.1, and http/1.1 when it offers only that")
  void alpn() throws IOException {
    assertEquals("h2", negotiate("h2", "http/1.1"));
    assertEquals("http/1.1", negotiate("http/1.1"));
    try (SSLSocket s = handshake(SHOP, "TLSv1.3")) {
      // No ALPN at all: HTTP/1.1.
      assertTrue(exchange(s, SHOP, "/no-alpn").startsWith("HTTP/1.1 200"));
    }
  }

  private String negotiate(String... protocols) throws IOException {
    SSLSocket s = socket();
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(List.of(new SNIHostName(SHOP)));
    p.setApplicationProtocols(protocols);
    s.setSSLParameters(p);
    try (s) {
      s.startHandshake();
      return s.getApplicationProtocol();
    }
  }

  @Test
  @DisplayName("the JDK HttpClient speaks HTTP/2 over TLS through the proxy; scheme https reaches the backend")
  void jdkHttpClient() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext())
        .version(HttpClient.Version.HTTP_2).build();
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/x?y=1"))
            .POST(HttpRequest.BodyPublishers.ofString("h2 body")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals(HttpClient.Version.HTTP_2, response.version());
    assertEquals("POST /x?y=1 h2 body", response.body());
    TestBackend.Seen seen = backend.requests.get(backend.requests.size() - 1);
    assertEquals("https", seen.headers().get("x-forwarded-proto"));
    assertEquals("localhost:" + httpsPort, seen.headers().get("host"));
  }

  @Test
  @DisplayName("a JDK HttpClient that wants HTTP/1.1 gets HTTP/1.1 over TLS")
  void jdkHttpClientHttp1() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext())
        .version(HttpClient.Version.HTTP_1_1).build();
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(URI.create("https://localhost:" + httpsPort + "/x")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    assertEquals(HttpClient.Version.HTTP_1_1, response.version());
  }

  @Test
  @DisplayName("curl --http2 with --resolve gets HTTP/2 with the verified certificate")
  void curlHttp2() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed");
    Path ca = Files.createTempFile("portcullis-ca", ".pem");
    try {
      Files.writeString(ca, pki.caPem());
      Process p = new ProcessBuilder("curl", "-sS", "--max-time", "10", "--http2", "--cacert", ca.toString(),
          "--resolve", SHOP + ":" + httpsPort + ":127.0.0.1", "-o", "/dev/null",
          "-w", "%{http_version} %{http_code}", "https://" + SHOP + ":" + httpsPort + "/curl-h2")
          .redirectErrorStream(true).start();
      assertTrue(p.waitFor(20, TimeUnit.SECONDS));
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      assertEquals("2 200", out.trim(), out);
    } finally {
      Files.deleteIfExists(ca);
    }
  }

  @Test
  @DisplayName("curl --resolve verifies each name's certificate against the test CA")
  void curlResolve() throws Exception {
    assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")), "curl not installed");
    Path ca = Files.createTempFile("portcullis-ca", ".pem");
    try {
      Files.writeString(ca, pki.caPem());
      for (String name : List.of(SHOP, "api.example.com")) {
        for (String version : List.of("--tlsv1.2", "--tlsv1.3")) {
          Process p = new ProcessBuilder("curl", "-sS", "--max-time", "10", version, "--cacert", ca.toString(),
              "--resolve", name + ":" + httpsPort + ":127.0.0.1", "-o", "/dev/null", "-w", "%{http_code}",
              "https://" + name + ":" + httpsPort + "/curl").redirectErrorStream(true).start();
          assertTrue(p.waitFor(20, TimeUnit.SECONDS));
          String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
          assertEquals("200", out.trim(), name + " " + version + ": " + out);
        }
      }
    } finally {
      Files.deleteIfExists(ca);
    }
  }

  // ------------------------------------------------------------------ plain HTTP

  @Test
  @DisplayName("plain HTTP for a TLS host is redirected with 308 to the same URL over https")
  void redirect() throws IOException {
    String response = plain(SHOP, "/cart?id=7");
    assertTrue(response.startsWith("HTTP/1.1 308"), response);
    assertTrue(response.contains("https://" + SHOP + "/cart?id=7"), response);
    String direct = plain(SHOP + ":" + httpPort, "/cart");
    assertTrue(direct.contains("https://" + SHOP + ":" + httpsPort + "/cart"), direct);
    assertFalse(direct.toLowerCase().contains("strict-transport-security"), direct);
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("plain HTTP is served when the redirect is off, or the host has no TLS")
  void noRedirect() throws IOException {
    assertTrue(plain("api.example.com", "/").startsWith("HTTP/1.1 200"));
    assertTrue(plain("plain.example.org", "/").startsWith("HTTP/1.1 200"));
    assertEquals("http", backend.requests.get(0).headers().get("x-forwarded-proto"));
  }

  // ------------------------------------------------------------------ changes

  @Test
  @DisplayName("a rotated certificate serves new handshakes while requests keep flowing without a failure")
  void rotation() throws Exception {
    HttpClient client = HttpClient.newBuilder().sslContext(pki.clientContext()).build();
    URI uri = URI.create("https://localhost:" + httpsPort + "/load");
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<Thread> load = new ArrayList<>();
    // One keep-alive client and one that handshakes anew for every request.
    load.add(new Thread(() -> {
      while (running.get() && failure.get() == null) {
        try {
          HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri).build(),
              HttpResponse.BodyHandlers.ofString());
          if (r.statusCode() != 200) {
            throw new AssertionError("status " + r.statusCode());
          }
          ok.incrementAndGet();
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      }
    }));
    load.add(new Thread(() -> {
      while (running.get() && failure.get() == null) {
        try (SSLSocket s = handshake(SHOP, "TLSv1.3", "TLSv1.2")) {
          String r = exchange(s, SHOP, "/fresh");
          if (!r.startsWith("HTTP/1.1 200")) {
            throw new AssertionError(r);
          }
          ok.incrementAndGet();
        } catch (Throwable t) {
          failure.compareAndSet(null, t);
        }
      }
    }));
    load.forEach(Thread::start);
    try {
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= 20 || failure.get() != null);
      TlsCertificate newShop = pki.issue("default/shop-tls", SHOP, "www.example.com");
      TlsCertificate newDefault = pki.issue(DEFAULT_NAME, "localhost", "new.invalid");
      applier.apply(snapshot(newShop, newDefault));
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        try (SSLSocket s = handshake(SHOP, "TLSv1.3")) {
          return names(s).contains("www.example.com");
        }
      });
      await().atMost(Duration.ofSeconds(5)).until(() -> {
        try (SSLSocket s = handshake(null, "TLSv1.3")) {
          return names(s).contains("new.invalid");
        }
      });
      int afterSwitch = ok.get();
      await().atMost(Duration.ofSeconds(10)).until(() -> ok.get() >= afterSwitch + 20 || failure.get() != null);
    } finally {
      running.set(false);
      for (Thread t : load) {
        t.join(10_000);
      }
    }
    if (failure.get() != null) {
      throw new AssertionError("a request failed during rotation", failure.get());
    }
  }

  @Test
  @DisplayName("a certificate the dataplane cannot load is NACKed and the previous one keeps serving")
  void unloadableCertificate() throws IOException {
    TlsCertificate garbage = new TlsCertificate("default/shop-tls",
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", shopCert.privateKey());
    Snapshot before = config.current().snapshot();
    ConfigRejectedException e =
        assertThrows(ConfigRejectedException.class, () -> applier.apply(snapshot(garbage, defaultCert)));
    assertEquals(List.of("certificate/default/shop-tls"), e.resources());
    assertEquals(before, config.current().snapshot());
    try (SSLSocket s = handshake(SHOP, "TLSv1.3")) {
      assertEquals(List.of(SHOP), names(s));
    }
  }

  // ------------------------------------------------------------------ helpers

  private SSLSocket socket() throws IOException {
    return socket(pki.clientContext());
  }

  private SSLSocket socket(javax.net.ssl.SSLContext client) throws IOException {
    Socket raw = new Socket();
    raw.connect(new InetSocketAddress("127.0.0.1", httpsPort), 5000);
    raw.setSoTimeout(10_000);
    return (SSLSocket) client.getSocketFactory().createSocket(raw, "127.0.0.1", httpsPort, true);
  }

  /** A finished handshake offering {@code protocols}, sending {@code sni} (null: none). */
  private SSLSocket handshake(String sni, String... protocols) throws IOException {
    return handshakeWith(pki.clientContext(), sni, protocols);
  }

  private SSLSocket handshakeWith(javax.net.ssl.SSLContext client, String sni, String... protocols)
      throws IOException {
    SSLSocket s = socket(client);
    SSLParameters p = s.getSSLParameters();
    p.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
    p.setProtocols(protocols);
    s.setSSLParameters(p);
    try {
      s.startHandshake();
    } catch (IOException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** DNS names of the certificate the server presented. */
  private static List<String> names(SSLSocket s) throws IOException {
    X509Certificate leaf = (X509Certificate) s.getSession().getPeerCertificates()[0];
    List<String> names = new ArrayList<>();
    try {
      for (List<?> san : leaf.getSubjectAlternativeNames()) {
        names.add((String) san.get(1));
      }
    } catch (java.security.cert.CertificateParsingException e) {
      throw new IOException(e);
    }
    return names;
  }

  private static String exchange(Socket s, String host, String path) throws IOException {
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    return readAll(s.getInputStream());
  }

  private String plain(String host, String path) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", httpPort), 5000);
      s.setSoTimeout(10_000);
      return exchange(s, host, path);
    }
  }

  private String scrape() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter(false)
        .write(out, metrics.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }
}
