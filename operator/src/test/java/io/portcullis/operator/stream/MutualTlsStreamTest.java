package io.portcullis.operator.stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.dataplane.stream.StreamClientSettings;
import io.portcullis.operator.pki.CertificateAuthority;
import io.portcullis.operator.pki.IssuedCertificate;
import io.portcullis.operator.pki.TlsTestSupport;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.transport.ControlChannelTls;
import io.portcullis.transport.ControlPlaneTls;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real TLS handshakes on loopback between the stream server and the dataplane's stream client:
 * only a dataplane holding a certificate from the operator's CA gets snapshots, and a dataplane
 * only talks to an operator whose certificate chains to that CA and names the host it dialled.
 */
class MutualTlsStreamTest {
  private static final CertificateAuthority CA = TlsTestSupport.newCa("operator CA");
  private static final CertificateAuthority OTHER_CA = TlsTestSupport.newCa("somebody else's CA");
  private static final IssuedCertificate SERVING =
      CA.issueServer(List.of("localhost"), TlsTestSupport.DAY);

  @TempDir Path dir;

  private final SnapshotStore store = new SnapshotStore();
  private final LiveConfig config = new LiveConfig();
  private final List<AutoCloseable> toClose = new ArrayList<>();
  private StreamServer server;
  private int port;

  @BeforeEach
  void startServer() {
    store.publish(Snapshots.shop(8080));
    server = StreamServer.withTls(store, new InetSocketAddress("127.0.0.1", 0),
        () -> ControlChannelTls.server(SERVING.key(), SERVING.certificate(), CA.certificate()), StreamServer.DEFAULT_KEEPALIVE_MILLIS);
    port = server.start();
  }

  @AfterEach
  void stop() throws Exception {
    for (AutoCloseable c : toClose) {
      c.close();
    }
    server.close();
  }

  @Test
  void aDataplaneWithACertificateFromTheOperatorsCaReceivesTheSnapshot() throws Exception {
    TlsTestSupport.writeFiles(dir, CA.issueClient("dataplane", TlsTestSupport.DAY), CA.certificate());
    StreamClient client = client("https://localhost:" + port, files());

    Snapshot published = store.current();
    await().until(() -> store.isProgrammedEverywhere(published.version()));
    assertEquals(published, config.current().snapshot());
    assertEquals(0, server.refusedHandshakes());
    assertEquals(0, client.handshakeFailures());
  }

  @Test
  void anOperatorThatIsDownIsReportedAsConnectionRefusedNotAsATlsFailure() throws Exception {
    TlsTestSupport.writeFiles(dir, CA.issueClient("dataplane", TlsTestSupport.DAY), CA.certificate());
    server.close();
    StreamClient client = client("https://localhost:" + port, files());

    await().until(() -> client.lastConnectFailure().isPresent());
    assertTrue(client.lastConnectFailure().get().startsWith("connection refused"),
        client.lastConnectFailure().get());
    assertEquals(0, client.handshakeFailures(), "no handshake was ever attempted");
  }

  @Test
  void aDataplaneWithACertificateFromAnotherCaIsRefused() throws Exception {
    TlsTestSupport.writeFiles(
        dir, OTHER_CA.issueClient("intruder", TlsTestSupport.DAY), CA.certificate());
    StreamClient client = client("https://localhost:" + port, files());

    await().until(() -> server.refusedHandshakes() >= 2); // refused, retried, refused again
    assertNeverServed(client);
  }

  @Test
  void aDataplaneWithoutACertificateIsRefused() {
    StreamClient client = client("https://localhost:" + port, fixed(SslContextBuilder.forClient()
        .trustManager(CA.certificate())));

    await().until(() -> server.refusedHandshakes() >= 2);
    assertNeverServed(client);
  }

  @Test
  void aDataplaneThatDoesNotTrustTheOperatorsCaRefusesToTalk() throws Exception {
    // Its own certificate is fine; the CA it trusts is not the one that signed the operator's.
    TlsTestSupport.writeFiles(
        dir, CA.issueClient("dataplane", TlsTestSupport.DAY), OTHER_CA.certificate());
    StreamClient client = client("https://localhost:" + port, files());

    await().until(() -> client.handshakeFailures() >= 2);
    assertNeverServed(client);
  }

  @Test
  void aDataplaneRefusesAnOperatorCertificateThatDoesNotNameTheHostItDialled() throws Exception {
    TlsTestSupport.writeFiles(dir, CA.issueClient("dataplane", TlsTestSupport.DAY), CA.certificate());
    // The serving certificate names localhost only.
    StreamClient client = client("https://127.0.0.1:" + port, files());

    await().until(() -> client.handshakeFailures() >= 2);
    assertNeverServed(client);
  }

  @Test
  void theStreamNegotiatesTls13AndH2() throws Exception {
    TlsTestSupport.Handshake agreed =
        TlsTestSupport.handshake(port, CA.issueClient("dataplane", TlsTestSupport.DAY), CA.certificate());
    assertEquals("TLSv1.3", agreed.protocol());
    assertEquals("h2", agreed.alpn());
    assertEquals(SERVING.certificate(), agreed.peer());
  }

  @Test
  void aTls12OnlyDataplaneStillConnects() {
    IssuedCertificate identity = CA.issueClient("dataplane", TlsTestSupport.DAY);
    StreamClient client = client("https://localhost:" + port, fixed(SslContextBuilder.forClient()
        .protocols("TLSv1.2")
        .keyManager(identity.key(), identity.certificate())
        .trustManager(CA.certificate())));

    await().until(client::isConnected);
    assertEquals(store.current(), config.current().snapshot());
  }

  private void assertNeverServed(StreamClient client) {
    assertFalse(client.isConnected());
    assertEquals(0, client.messagesReceived());
    assertEquals(0, store.connectedCount());
    assertEquals(0, server.sessionCount());
  }

  private Supplier<SslContext> files() {
    ControlPlaneTls tls = TlsTestSupport.dataplaneTls(dir, Duration.ofMinutes(1));
    toClose.add(tls);
    return tls;
  }

  private static Supplier<SslContext> fixed(SslContextBuilder builder) {
    try {
      SslContext context = builder
          .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
          .applicationProtocolConfig(new ApplicationProtocolConfig(
              ApplicationProtocolConfig.Protocol.ALPN,
              ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
              ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
              ApplicationProtocolNames.HTTP_2))
          .build();
      return () -> context;
    } catch (javax.net.ssl.SSLException e) {
      throw new IllegalStateException(e);
    }
  }

  private StreamClient client(String url, Supplier<SslContext> tls) {
    StreamClientSettings settings = StreamClientSettings.defaults()
        .withBackoff(Duration.ofMillis(10), Duration.ofMillis(100))
        .withTls(tls);
    StreamClient client = new StreamClient(URI.create(url), "node-a", config, new ProxyMetrics(),
        settings, io.portcullis.dataplane.stream.ConfigApplier.of(config));
    toClose.add(client);
    client.start();
    return client;
  }
}
