package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import io.portcullis.snapshot.VirtualHost;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Downstream mTLS per host, with real handshakes, and what the backend is told about the client. */
class ClientCertificatesTest {
  private static final String REQUIRED = "secure.example.com";
  private static final String OPTIONAL = "optional.example.com";
  private static final String OPEN = "open.example.com";
  private static final String XFCC = "x-forwarded-client-cert";

  private final TestPki serverPki = new TestPki();
  private final TestPki clientCa = new TestPki();
  private final TestPki strangerCa = new TestPki();
  private final TlsCertificate wildcard = serverPki.issue("default/wild", "*.example.com");
  private final TlsCertificate fallback = serverPki.issue("portcullis.io/generated-default", "localhost");
  private final TestPki.ClientIdentity alice =
      clientCa.issueClient("O=Shop,CN=alice", "spiffe://shop/alice", "alice.shop", "a.shop");
  private final TestPki.ClientIdentity mallory = strangerCa.issueClient("CN=mallory", null);
  private final TestBackend backend = new TestBackend();
  private final ProxyServer[] self = new ProxyServer[1];
  private final LiveConfig config =
      new LiveConfig(StandardFilters.chains(() -> self[0] == null ? -1 : self[0].httpsPort()));
  private final CertificateStore store = new CertificateStore();
  private final TlsConfigApplier applier = new TlsConfigApplier(config, store);
  private ProxyServer proxy;
  private int httpPort;
  private int httpsPort;
  private int backendPort;

  @BeforeEach
  void start() {
    backendPort = backend.start();
    applier.apply(snapshot(new ClientValidation(clientCa.caPem(), false)));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
        Router.of(config), new ProxyMetrics());
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

  private Snapshot snapshot(ClientValidation required) {
    return Snapshot.of(
        List.of(
            host(REQUIRED, new TlsPolicy(wildcard.name(), false, null, required)),
            host(OPTIONAL, new TlsPolicy(wildcard.name(), false, null,
                new ClientValidation(clientCa.caPem(), true))),
            host(OPEN, new TlsPolicy(wildcard.name(), false, null))),
        List.of(new Cluster("default/web:80", List.of(new Endpoint("127.0.0.1", backendPort)))),
        null, List.of(wildcard, fallback), fallback.name());
  }

  private static VirtualHost host(String name, TlsPolicy tls) {
    return new VirtualHost(name, List.of(Route.of("r/" + name,
        RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("default/web:80"))), tls);
  }

  // ------------------------------------------------------------------ required

  @Test
  @DisplayName("a host that requires a client certificate refuses a client without one")
  void requiredWithoutCertificate() {
    String r = request(serverPki.clientContext(), REQUIRED, REQUIRED, "/");
    assertTrue(r.startsWith("refused"), r);
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("a client certificate from the host's CA is served; the backend learns who it is")
  void requiredWithCertificate() throws Exception {
    String r = request(serverPki.clientContext(alice), REQUIRED, REQUIRED, "/who");
    assertTrue(r.startsWith("HTTP/1.1 200"), r);
    String hash = HexFormat.of().formatHex(
        MessageDigest.getInstance("SHA-256").digest(alice.certificate().getEncoded()));
    assertEquals("Hash=" + hash + ";Subject=\"CN=alice,O=Shop\";URI=spiffe://shop/alice;DNS=alice.shop;DNS=a.shop",
        backend.requests.get(0).headers().get(XFCC));
  }

  @Test
  @DisplayName("a client certificate from another CA is refused")
  void requiredWithForeignCertificate() {
    String r = request(serverPki.clientContext(mallory), REQUIRED, REQUIRED, "/");
    assertTrue(r.startsWith("refused"), r);
    assertTrue(backend.requests.isEmpty());
  }

  // ------------------------------------------------------------------ optional

  @Test
  @DisplayName("an optional host serves a client without a certificate, and forwards no client details")
  void optionalWithoutCertificate() {
    String r = request(serverPki.clientContext(), OPTIONAL, OPTIONAL, "/");
    assertTrue(r.startsWith("HTTP/1.1 200"), r);
    assertNull(backend.requests.get(0).headers().get(XFCC));
  }

  @Test
  @DisplayName("an optional host forwards a valid certificate and still refuses an invalid one")
  void optionalWithCertificates() {
    assertTrue(request(serverPki.clientContext(alice), OPTIONAL, OPTIONAL, "/").startsWith("HTTP/1.1 200"));
    assertTrue(backend.requests.get(0).headers().get(XFCC).contains("Subject=\"CN=alice,O=Shop\""));
    String r = request(serverPki.clientContext(mallory), OPTIONAL, OPTIONAL, "/");
    assertTrue(r.startsWith("refused"), r);
    assertEquals(1, backend.requests.size());
  }

  // ------------------------------------------------------------------ forged header, other hosts

  @Test
  @DisplayName("a client's own x-forwarded-client-cert never reaches the backend, on https or plain http")
  void forgedHeaderStripped() throws IOException {
    String forged = "Hash=00;Subject=\"CN=admin\"";
    assertTrue(request(serverPki.clientContext(), OPEN, OPEN, "/", XFCC + ": " + forged + "\r\n")
        .startsWith("HTTP/1.1 200"));
    assertNull(backend.requests.get(0).headers().get(XFCC));
    assertTrue(request(serverPki.clientContext(alice), REQUIRED, REQUIRED, "/", XFCC + ": " + forged + "\r\n")
        .startsWith("HTTP/1.1 200"));
    assertEquals(1, backend.requests.get(1).headers().getAll(XFCC).size());
    assertTrue(backend.requests.get(1).headers().get(XFCC).contains("CN=alice"));
    assertTrue(plain(OPEN, XFCC + ": " + forged + "\r\n").startsWith("HTTP/1.1 200"));
    assertNull(backend.requests.get(2).headers().get(XFCC));
  }

  @Test
  @DisplayName("hosts without client certificates, and clients without SNI, are unaffected")
  void otherHostsUnaffected() {
    assertTrue(request(serverPki.clientContext(), OPEN, OPEN, "/").startsWith("HTTP/1.1 200"));
    assertTrue(request(serverPki.clientContext(), null, OPEN, "/").startsWith("HTTP/1.1 200"));
  }

  @Test
  @DisplayName("a request for an mTLS host on a connection made for another host gets 421, and the reverse too")
  void misdirected() {
    String r = request(serverPki.clientContext(alice), OPEN, REQUIRED, "/");
    assertTrue(r.startsWith("HTTP/1.1 421"), r);
    r = request(serverPki.clientContext(), null, REQUIRED, "/");
    assertTrue(r.startsWith("HTTP/1.1 421"), r);
    r = request(serverPki.clientContext(alice), REQUIRED, OPEN, "/");
    assertTrue(r.startsWith("HTTP/1.1 421"), r);
    r = request(serverPki.clientContext(), OPTIONAL, REQUIRED, "/");
    assertTrue(r.startsWith("HTTP/1.1 421"), r);
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("over plain HTTP a host that requires client certificates answers 403; an optional one is served")
  void plainHttp() throws IOException {
    assertTrue(plainTo(REQUIRED, "").startsWith("HTTP/1.1 403"));
    assertTrue(plainTo(OPTIONAL, "").startsWith("HTTP/1.1 200"));
    assertEquals(1, backend.requests.size());
  }

  @Test
  @DisplayName("a client CA bundle that is not PEM is rejected naming the host, and the previous config stays")
  void badClientCa() {
    ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> applier.apply(
        snapshot(new ClientValidation("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", false))));
    assertEquals(List.of("virtualHost/" + REQUIRED), e.resources());
    assertTrue(request(serverPki.clientContext(alice), REQUIRED, REQUIRED, "/").startsWith("HTTP/1.1 200"));
  }

  // ------------------------------------------------------------------ helpers

  /** One request over a fresh TLS connection; "refused: ..." when TLS fails at any point. */
  private String request(SSLContext client, String sni, String host, String path) {
    return request(client, sni, host, path, "");
  }

  private String request(SSLContext client, String sni, String host, String path, String extra) {
    try (SSLSocket s = (SSLSocket) client.getSocketFactory().createSocket("127.0.0.1", httpsPort)) {
      s.setSoTimeout(10_000);
      SSLParameters params = s.getSSLParameters();
      params.setServerNames(sni == null ? List.of() : List.of(new SNIHostName(sni)));
      s.setSSLParameters(params);
      s.startHandshake();
      return exchange(s, host, path, extra);
    } catch (IOException e) {
      return "refused: " + e;
    }
  }

  private String plain(String host, String extra) throws IOException {
    return plainTo(host, extra);
  }

  private String plainTo(String host, String extra) throws IOException {
    try (Socket s = new Socket("127.0.0.1", httpPort)) {
      s.setSoTimeout(10_000);
      return exchange(s, host, "/", extra);
    }
  }

  private static String exchange(Socket s, String host, String path, String extra) throws IOException {
    s.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\n" + extra
        + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    s.getOutputStream().flush();
    InputStream in = s.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    String response = out.toString(StandardCharsets.UTF_8);
    if (response.isEmpty()) {
      throw new IOException("closed without a response");
    }
    return response;
  }
}
