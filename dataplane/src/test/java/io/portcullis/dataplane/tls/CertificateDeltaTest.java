package io.portcullis.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.SnapshotCodec;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The SNI table follows deltas (only the certificates and hosts a delta names are looked at) and
 * serves exactly what a table built from the whole snapshot would: checked over real TLS
 * handshakes against the listener's {@link SniHandler} on the store, and against full rebuilds.
 */
class CertificateDeltaTest {
  private static final TestPki PKI = new TestPki();
  private static final TlsCertificate SHOP = PKI.issue("default/shop", "shop.example.com");
  private static final TlsCertificate BLOG = PKI.issue("default/blog", "blog.example.com");
  private static final TlsCertificate WILD = PKI.issue("default/wild", "*.example.com");
  private static final TlsCertificate FALLBACK = PKI.issue("ops/default", "localhost");

  private final CertificateStore store = new CertificateStore();
  private final LiveConfig config = new LiveConfig();
  private final LoopbackServer server;

  CertificateDeltaTest() {
    store.attachTo(config);
    // The HTTPS listener's SNI handler: asks the store asynchronously, as in production.
    server = LoopbackServer.start(
        ch -> ch.pipeline().addLast(new ClientCertificateSniHandler(store, 64 * 1024, 10_000)));
  }

  @AfterEach
  void close() {
    server.close();
    store.close();
  }

  private static VirtualHost host(String name, String certificate, String body) {
    return new VirtualHost(name, List.of(Route.of("r/" + name + body,
        RouteMatch.path(new PathMatch.Prefix("/")), new RouteAction.DirectResponse(200, body))),
        certificate == null ? null : new TlsPolicy(certificate, true, null));
  }

  private static Snapshot snapshot(List<VirtualHost> hosts, List<TlsCertificate> certificates) {
    return Snapshot.of(hosts, List.of(), null, certificates, FALLBACK.name());
  }

  /** Applies {@code to} as the stream client does: the delta over the wire, then the result. */
  private void receive(Snapshot to) {
    Snapshot from = config.current().snapshot();
    Delta delta = SnapshotCodec.fromJson(SnapshotCodec.toJson(Delta.between(from, to)), Delta.class);
    config.apply(delta.applyTo(from), delta);
  }

  /** The certificate a real handshake with {@code sniName} is shown. */
  private X509Certificate handshake(String sniName) throws IOException {
    try (SSLSocket socket = (SSLSocket) PKI.clientContext().getSocketFactory()
        .createSocket("127.0.0.1", server.port())) {
      SSLParameters parameters = socket.getSSLParameters();
      parameters.setServerNames(List.of(new SNIHostName(sniName)));
      socket.setSSLParameters(parameters);
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static String serial(TlsCertificate certificate) throws Exception {
    var factory = java.security.cert.CertificateFactory.getInstance("X.509");
    var leaf = (X509Certificate) factory.generateCertificate(new java.io.ByteArrayInputStream(
        certificate.certificateChain().getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
    return leaf.getSerialNumber().toString();
  }

  @Test
  @DisplayName("a host whose certificate Secret changed serves the new certificate over a real handshake; the other hosts keep their contexts")
  void changedSecretServesTheNewCertificate() throws Exception {
    config.apply(snapshot(List.of(host("shop.example.com", SHOP.name(), "a"),
        host("blog.example.com", BLOG.name(), "a")), List.of(SHOP, BLOG, FALLBACK)));
    assertEquals(serial(SHOP), handshake("shop.example.com").getSerialNumber().toString());
    SslContext blog = store.map("blog.example.com");

    TlsCertificate renewed = PKI.issue(SHOP.name(), "shop.example.com");
    receive(snapshot(List.of(host("shop.example.com", SHOP.name(), "a"),
        host("blog.example.com", BLOG.name(), "a")), List.of(renewed, BLOG, FALLBACK)));

    assertEquals(serial(renewed), handshake("shop.example.com").getSerialNumber().toString());
    assertEquals(serial(BLOG), handshake("blog.example.com").getSerialNumber().toString());
    assertSame(blog, store.map("blog.example.com"));
  }

  @Test
  @DisplayName("a host moved to another certificate, a new TLS host and a removed one take effect over real handshakes")
  void hostChangesOverHandshakes() throws Exception {
    config.apply(snapshot(List.of(host("shop.example.com", SHOP.name(), "a"),
        host("blog.example.com", BLOG.name(), "a")), List.of(SHOP, BLOG, WILD, FALLBACK)));
    receive(snapshot(List.of(host("shop.example.com", BLOG.name(), "b"),
        host("*.example.com", WILD.name(), "b")), List.of(SHOP, BLOG, WILD, FALLBACK)));

    assertEquals(serial(BLOG), handshake("shop.example.com").getSerialNumber().toString());
    // blog.example.com is gone: the wildcard one label up answers now.
    assertEquals(serial(WILD), handshake("blog.example.com").getSerialNumber().toString());
    assertEquals(serial(FALLBACK), handshake("other.test").getSerialNumber().toString());
  }

  @Test
  @DisplayName("copies of one Secret under several names share one server context")
  void copiesShareAContext() {
    List<VirtualHost> hosts = new ArrayList<>();
    List<TlsCertificate> certificates = new ArrayList<>(List.of(FALLBACK));
    for (int i = 0; i < 20; i++) {
      String name = "team-" + i + "/wild";
      certificates.add(new TlsCertificate(name, WILD.certificateChain(), WILD.privateKey()));
      hosts.add(host("app-" + i + ".example.com", name, "a"));
    }
    config.apply(snapshot(hosts, certificates));
    assertEquals(2, ((SniTable) config.current().certificates()).size());
    assertSame(store.map("app-0.example.com"), store.map("app-19.example.com"));
  }

  @Test
  @DisplayName("a delta with a certificate that cannot be loaded is rejected and the old table keeps serving")
  void brokenCertificateInADelta() throws Exception {
    config.apply(snapshot(List.of(host("shop.example.com", SHOP.name(), "a")), List.of(SHOP, FALLBACK)));
    String version = config.current().version();
    TlsCertificate broken = new TlsCertificate(SHOP.name(), SHOP.certificateChain(),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    ConfigRejectedException e = assertThrows(ConfigRejectedException.class, () -> receive(
        snapshot(List.of(host("shop.example.com", SHOP.name(), "b")), List.of(broken, FALLBACK))));
    assertEquals(List.of("certificate/" + SHOP.name()), e.resources());
    assertEquals(version, config.current().version());
    assertEquals(serial(SHOP), handshake("shop.example.com").getSerialNumber().toString());
  }

  @Test
  @DisplayName("after 150 random deltas (hosts, certificates, wildcards) every SNI name gets what a table built from the whole snapshot gives")
  void deltasAgreeWithFullBuilds() {
    Random random = new Random(18);
    List<TlsCertificate> pool = List.of(SHOP, BLOG, WILD, PKI.issue("default/shop", "shop.example.com"));
    String[] names = {"default/a", "default/b", "default/c"};
    String[] hostNames = {"a.example.com", "b.example.com", "c.example.com", "*.example.com",
        "*.b.example.com", "d.example.org"};
    config.apply(snapshot(List.of(), List.of(FALLBACK)));
    for (int round = 0; round < 150; round++) {
      List<TlsCertificate> certificates = new ArrayList<>(List.of(FALLBACK));
      for (String name : names) {
        if (random.nextInt(4) > 0) {
          TlsCertificate content = pool.get(random.nextInt(pool.size()));
          certificates.add(new TlsCertificate(name, content.certificateChain(), content.privateKey()));
        }
      }
      List<VirtualHost> hosts = new ArrayList<>();
      for (String hostName : hostNames) {
        int pick = random.nextInt(certificates.size() + 2);
        if (pick < certificates.size()) {
          String certificate = certificates.get(pick).name();
          int validation = random.nextInt(4); // a quarter of the TLS hosts check client certificates
          hosts.add(validation < CLIENT_CHECKS.size()
              ? validatingHost(hostName, certificate, CLIENT_CHECKS.get(validation))
              : host(hostName, certificate, "a"));
        } else if (pick == certificates.size()) {
          hosts.add(host(hostName, null, "a")); // no TLS
        }
      }
      receive(snapshot(hosts, certificates));
      SniTable incremental = (SniTable) config.current().certificates();
      SniTable full = store.prepare(config.current().snapshot(), incremental);
      // The same contexts in use, each with as many users: nothing a delta dropped lingers.
      assertEquals(entries(full.contexts), entries(incremental.contexts), "contexts in round " + round);
      assertEquals(entries(full.presentedWithValidation), entries(incremental.presentedWithValidation),
          "certificates presented with client checks in round " + round);
      for (String sni : List.of("a.example.com", "b.example.com", "c.example.com", "x.example.com",
          "x.b.example.com", "d.example.org", "e.example.net")) {
        assertSame(full.lookup(sni), incremental.lookup(sni), sni + " in round " + round);
      }
      assertSame(full.lookup(null), incremental.lookup(null));
    }
  }

  /** Two client certificate policies hosts pick from in the random rounds. */
  private static final List<TlsPolicy.ClientValidation> CLIENT_CHECKS = List.of(
      new TlsPolicy.ClientValidation(PKI.caPem(), false),
      new TlsPolicy.ClientValidation(PKI.caPem(), true));

  private static VirtualHost validatingHost(String name, String certificate,
      TlsPolicy.ClientValidation validation) {
    return new VirtualHost(name, List.of(Route.of("r/" + name + "v",
        RouteMatch.path(new PathMatch.Prefix("/")), new RouteAction.DirectResponse(200, "v"))),
        new TlsPolicy(certificate, true, null, validation));
  }

  private static <K, V> java.util.Map<K, V> entries(io.portcullis.dataplane.config.LayeredMap<K, V> map) {
    java.util.Map<K, V> entries = new java.util.HashMap<>();
    map.forEach(entries::put);
    return entries;
  }

  @Test
  @DisplayName("hosts that check client certificates follow deltas too: a host added, changed and removed, the others untouched")
  void validatingHostsFollowDeltas() throws Exception {
    TlsPolicy.ClientValidation required = CLIENT_CHECKS.get(0);
    config.apply(snapshot(List.of(validatingHost("shop.example.com", SHOP.name(), required),
        host("blog.example.com", BLOG.name(), "a")), List.of(SHOP, BLOG, FALLBACK)));
    SslContext shop = store.map("shop.example.com");
    SniTable before = (SniTable) config.current().certificates();

    // A host that checks client certificates joins; the table follows the delta.
    receive(snapshot(List.of(validatingHost("shop.example.com", SHOP.name(), required),
        validatingHost("blog.example.com", BLOG.name(), CLIENT_CHECKS.get(1))),
        List.of(SHOP, BLOG, FALLBACK)));
    SniTable after = (SniTable) config.current().certificates();
    assertSame(before.certificates, after.certificates);
    assertSame(shop, store.map("shop.example.com"));
    assertEquals(CLIENT_CHECKS.get(1), ServerContexts.clientValidation(store.map("blog.example.com")));
    assertEquals(5, after.size()); // three certificates, two with client checks

    // It goes; its context goes with it.
    receive(snapshot(List.of(validatingHost("shop.example.com", SHOP.name(), required)),
        List.of(SHOP, BLOG, FALLBACK)));
    assertEquals(4, ((SniTable) config.current().certificates()).size());
    assertSame(shop, store.map("shop.example.com"));
    assertEquals(serial(FALLBACK), handshake("blog.example.com").getSerialNumber().toString());
  }

  @Test
  @DisplayName("a renewed certificate builds one new context; its old one is no longer held")
  void renewalBuildsOneContext() {
    config.apply(snapshot(List.of(host("shop.example.com", SHOP.name(), "a"),
        host("blog.example.com", BLOG.name(), "a")), List.of(SHOP, BLOG, FALLBACK)));
    SslContext old = store.map("shop.example.com");
    receive(snapshot(List.of(host("shop.example.com", SHOP.name(), "a"),
        host("blog.example.com", BLOG.name(), "a")),
        List.of(PKI.issue(SHOP.name(), "shop.example.com"), BLOG, FALLBACK)));
    assertNotSame(old, store.map("shop.example.com"));
    assertEquals(3, ((SniTable) config.current().certificates()).size());
  }
}
