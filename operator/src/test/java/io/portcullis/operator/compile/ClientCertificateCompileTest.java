package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.assertAllGood;
import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.compileAt;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static io.portcullis.operator.compile.TestCertificates.NOW;
import static io.portcullis.operator.compile.TestCertificates.tlsSecret;
import static io.portcullis.operator.compile.TrafficPolicyCompileTest.CA_PEM;
import static io.portcullis.operator.compile.TrafficPolicyCompileTest.caSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.compile.Fixtures.ProxyRouteFixture;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Downstream mTLS from ProxyRoute {@code spec.tls.clientCertificate}, and how it fails closed. */
class ClientCertificateCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String BLOG = "blog.example.com";

  private static Compiled compile(Object... objects) {
    return compileAt(NOW, CompilerSettings.defaults(), objects);
  }

  private static List<Object> world() {
    return List.of(backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", TestCertificates.issue(SHOP)),
        tlsSecret("default", "blog-tls", TestCertificates.issue(BLOG)),
        caSecret("clients-ca", TestCertificates.b64(CA_PEM)),
        caSecret("empty-ca", null));
  }

  private static ProxyRoute shop(String caSecret, Boolean optional) {
    ProxyRouteFixture f = proxyRoute("default", "shop").hosts(SHOP).tls("shop-tls")
        .route(route("all").prefix("/").to("web", 80));
    ProxyRoute r = f.build();
    r.getSpec().tls.clientCertificate = new ProxyRouteSpec.ClientCertificate();
    r.getSpec().tls.clientCertificate.caSecret = caSecret;
    r.getSpec().tls.clientCertificate.optional = optional;
    return r;
  }

  private static ProxyRoute blog() {
    return proxyRoute("default", "blog").hosts(BLOG).tls("blog-tls")
        .route(route("all").prefix("/").to("web", 80)).build();
  }

  private static VirtualHost host(Compiled c, String host) {
    return c.snapshot().virtualHostsByHost().get(host);
  }

  @Test
  @DisplayName("a client CA Secret puts its bundle on the host's TLS policy, required by default")
  void required() {
    Compiled c = compile(shop("clients-ca", null), world());
    TlsPolicy policy = host(c, SHOP).tls();
    assertEquals(new TlsPolicy.ClientValidation(CA_PEM, false), policy.clientCertificates());
    assertEquals(1, host(c, SHOP).routes().size());
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("optional: true lets clients without a certificate in")
  void optional() {
    Compiled c = compile(shop("clients-ca", true), world());
    assertTrue(host(c, SHOP).tls().clientCertificates().optional());
  }

  @Test
  @DisplayName("a missing client CA Secret fails closed: the host serves no route, says why, other hosts untouched")
  void missingCaFailsClosed() {
    Compiled c = compile(shop("missing-ca", null), blog(), world());
    assertTrue(host(c, SHOP).routes().isEmpty(), "no route of the host is served without client validation");
    assertEquals(List.of(), c.proxyRouteStatus("default", "shop").routeNames());
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_CA_SECRET,
        "spec.tls.clientCertificate.caSecret: CA Secret default/missing-ca not found");
    assertEquals(1, host(c, BLOG).routes().size());
    assertAllGood(c.proxyRouteStatus("default", "blog"));
  }

  @Test
  @DisplayName("a client CA Secret without ca.crt fails closed too")
  void emptyCaFailsClosed() {
    Compiled c = compile(shop("empty-ca", null), world());
    assertTrue(host(c, SHOP).routes().isEmpty());
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_CA_SECRET,
        "has no ca.crt");
  }

  @Test
  @DisplayName("a younger ProxyRoute asking for client certificates on a host an older Ingress owns loses its routes there")
  void youngerRequirementCannotHold() {
    ProxyRoute younger = shop("clients-ca", null);
    younger.getMetadata().setCreationTimestamp(Fixtures.NEW);
    younger.getSpec().routes.get(0).match.path.prefix = "/admin";
    Compiled c = compile(younger,
        ingress("default", "front").created(Fixtures.OLD).host(SHOP).prefix("/", "web", 80).tls("shop-tls", SHOP),
        world());
    assertEquals(List.of("ingress/default/front/shop.example.com/"), c.routeNames(SHOP));
    assertNull(host(c, SHOP).tls().clientCertificates());
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.TLS_CONFLICT,
        "does not require the same client certificates");
  }
}
