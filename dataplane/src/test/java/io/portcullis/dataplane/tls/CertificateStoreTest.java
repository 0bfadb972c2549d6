package io.portcullis.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SNI choice and the content cache, without sockets. */
class CertificateStoreTest {
  private static final TestPki PKI = new TestPki();
  private static final TlsCertificate SHOP = PKI.issue("default/shop", "shop.example.com");
  private static final TlsCertificate WILD = PKI.issue("default/wild", "*.example.com");
  private static final TlsCertificate FALLBACK = PKI.issue("ops/default", "localhost");

  private final CertificateStore store = new CertificateStore();
  private final io.portcullis.dataplane.config.LiveConfig config =
      new io.portcullis.dataplane.config.LiveConfig();

  CertificateStoreTest() {
    store.attachTo(config);
  }

  @AfterEach
  void close() {
    store.close();
  }

  private static VirtualHost host(String name, String certificate, String body) {
    return new VirtualHost(name, List.of(Route.of("r/" + name + body,
        RouteMatch.path(new PathMatch.Prefix("/")), new RouteAction.DirectResponse(200, body))),
        new TlsPolicy(certificate, true, null));
  }

  private static Snapshot snapshot(String body, TlsCertificate shop) {
    return Snapshot.of(
        List.of(host("shop.example.com", shop.name(), body), host("*.example.com", WILD.name(), body),
            host("bad.example.org", null, body)),
        List.of(), null, List.of(shop, WILD, FALLBACK), FALLBACK.name());
  }

  @Test
  @DisplayName("SNI picks the exact host, then the wildcard one label up, then the default")
  void lookupOrder() {
    config.apply(snapshot("a", SHOP));
    SslContext shop = store.map("shop.example.com");
    SslContext wild = store.map("api.example.com");
    SslContext fallback = store.map(null);
    assertNotSame(shop, wild);
    assertNotSame(wild, fallback);
    assertSame(shop, store.map("SHOP.Example.com."));
    assertSame(fallback, store.map("a.b.example.com"));
    assertSame(fallback, store.map("example.com"));
    assertSame(fallback, store.map("bad.example.org"));
  }

  @Test
  @DisplayName("a route-only change reuses every context; a changed certificate rebuilds only its own")
  void cacheByContent() {
    config.apply(snapshot("a", SHOP));
    SslContext shop = store.map("shop.example.com");
    SslContext wild = store.map("api.example.com");
    config.apply(snapshot("b", SHOP));
    assertSame(shop, store.map("shop.example.com"));
    assertSame(wild, store.map("api.example.com"));
    config.apply(snapshot("b", PKI.issue("default/shop", "shop.example.com")));
    assertNotSame(shop, store.map("shop.example.com"));
    assertSame(wild, store.map("api.example.com"));
  }

  @Test
  @DisplayName("without a default certificate an unknown name gets no certificate (handshake fails)")
  void noDefault() {
    config.apply(Snapshot.of(List.of(host("shop.example.com", SHOP.name(), "a")), List.of(), null,
        List.of(SHOP), null));
    store.map("shop.example.com");
    assertThrows(IllegalStateException.class, () -> store.map("other.example.com"));
    assertThrows(IllegalStateException.class, () -> store.map(null));
  }

  @Test
  @DisplayName("a certificate that cannot be loaded rejects the whole snapshot: routes and certificates stay as they were")
  void rejectedCertificateKeepsEverything() {
    config.apply(snapshot("a", SHOP));
    SslContext shop = store.map("shop.example.com");
    String version = config.current().version();
    TlsCertificate broken = new TlsCertificate("default/shop", SHOP.certificateChain(),
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
    assertThrows(io.portcullis.dataplane.config.ConfigRejectedException.class,
        () -> config.apply(snapshot("b", broken)));
    assertEquals(version, config.current().version());
    assertSame(shop, store.map("shop.example.com"));
  }

  @Test
  @DisplayName("preparing a table changes nothing new handshakes see until its config is applied")
  void prepareIsSideEffectFree() {
    config.apply(snapshot("a", SHOP));
    SslContext shop = store.map("shop.example.com");
    store.prepare(snapshot("a", PKI.issue("default/shop", "shop.example.com")),
        config.current().certificates());
    assertSame(shop, store.map("shop.example.com"));
  }

  @Test
  @DisplayName("OpenSSL contexts get rotating session ticket keys; the JDK provider works without them")
  void providers() {
    TicketKeys keys = new TicketKeys();
    if (OpenSsl.isAvailable()) {
      assertEquals(SslProvider.OPENSSL, store.provider());
      config.apply(snapshot("a", SHOP));
      assertTrue(keys.applyTo(store.map("shop.example.com")));
      keys.rotate();
      assertTrue(keys.applyTo(store.map("shop.example.com")));
    }
    try (CertificateStore jdk = new CertificateStore(SslProvider.JDK)) {
      io.portcullis.dataplane.config.LiveConfig jdkConfig =
          new io.portcullis.dataplane.config.LiveConfig();
      jdk.attachTo(jdkConfig);
      jdkConfig.apply(snapshot("a", SHOP));
      assertFalse(keys.applyTo(jdk.map("shop.example.com")));
      assertTrue(jdk.map("shop.example.com").isServer());
    }
  }
}
