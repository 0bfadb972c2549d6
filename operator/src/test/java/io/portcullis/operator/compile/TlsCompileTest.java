package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.assertAllGood;
import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.compileAt;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static io.portcullis.operator.compile.Fixtures.warning;
import static io.portcullis.operator.compile.TestCertificates.NOW;
import static io.portcullis.operator.compile.TestCertificates.issue;
import static io.portcullis.operator.compile.TestCertificates.tlsSecret;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.portcullis.operator.compile.CompilerSettings.DefaultCertificate;
import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.compile.ObjectStatus.Event;
import io.portcullis.operator.compile.TestCertificates.Issued;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.TlsPolicy;
import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The TLS pass: Secrets in, certificates and per-host TLS policies out, bad Secrets isolated. */
class TlsCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String BLOG = "blog.example.com";
  private static final Issued SHOP_CERT = issue(SHOP);
  private static final Issued BLOG_CERT = issue(BLOG);
  private static final TlsCertificate GENERATED = new TlsCertificate(
      DefaultCertificate.GENERATED_NAME, SHOP_CERT.certificatePem(), SHOP_CERT.pkcs8KeyPem());
  private static final CompilerSettings SETTINGS = CompilerSettings.defaults()
      .withDefaultCertificate(new DefaultCertificate(null, GENERATED));

  private static Compiled compile(Object... objects) {
    return compileAt(NOW, SETTINGS, objects);
  }

  private static Fixtures.IngressFixture shopIngress() {
    return ingress("default", "shop").host(SHOP).prefix("/", "web", 80).tls("shop-tls", SHOP);
  }

  private static Fixtures.IngressFixture blogIngress() {
    return ingress("default", "blog").host(BLOG).prefix("/", "web", 80).tls("blog-tls", BLOG);
  }

  private static TlsPolicy policy(Compiled c, String host) {
    return c.snapshot().virtualHostsByHost().get(host).tls();
  }

  @Test
  @DisplayName("an Ingress TLS Secret puts its certificate in the snapshot and names it from the host")
  void validIngressSecret() {
    Compiled c = compile(shopIngress(), backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", SHOP_CERT));
    assertEquals(new TlsPolicy("default/shop-tls", true, null), policy(c, SHOP));
    TlsCertificate cert = c.snapshot().certificatesByName().get("default/shop-tls");
    assertTrue(cert.certificateChain().startsWith("-----BEGIN CERTIFICATE-----"));
    assertEquals(SHOP_CERT.pkcs8KeyPem(), cert.privateKey());
    assertEquals(DefaultCertificate.GENERATED_NAME, c.snapshot().defaultCertificate());
    assertAllGood(c.ingressStatus("default", "shop"));
  }

  @Test
  @DisplayName("a ProxyRoute TLS Secret covers all its hosts, with its redirect and HSTS settings")
  void validProxyRouteSecret() {
    Issued both = issue(SHOP, "www.example.com");
    Fixtures.ProxyRouteFixture pr = proxyRoute("default", "shop").hosts(SHOP, "www.example.com")
        .tls("shop-tls").route(route("r").prefix("/").to("web", 80));
    pr.build().getSpec().tls.redirectHttp = false;
    pr.build().getSpec().tls.hsts = new io.portcullis.operator.crd.ProxyRouteSpec.Hsts();
    pr.build().getSpec().tls.hsts.maxAge = 600L;
    pr.build().getSpec().tls.hsts.includeSubDomains = true;
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", both));
    TlsPolicy expected = new TlsPolicy("default/shop-tls", false, new TlsPolicy.Hsts(600, true));
    assertEquals(expected, policy(c, SHOP));
    assertEquals(expected, policy(c, "www.example.com"));
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  static Stream<Arguments> badSecrets() {
    Issued other = issue(SHOP);
    Issued expired = TestCertificates.issue(TestCertificates.ecKeys(),
        NOW.minusSeconds(400 * 86_400L), NOW.minusSeconds(1), SHOP);
    return Stream.of(
        Arguments.of("a missing Secret", null, "not found"),
        Arguments.of("a Secret of the wrong type",
            Fixtures.secret("default", "shop-tls", "Opaque"), "not kubernetes.io/tls"),
        Arguments.of("a Secret without tls.crt",
            tlsSecret("default", "shop-tls", null, SHOP_CERT.pkcs8KeyPem()), "has no tls.crt"),
        Arguments.of("a Secret without tls.key",
            tlsSecret("default", "shop-tls", SHOP_CERT.certificatePem(), null), "has no tls.key"),
        Arguments.of("garbage in tls.crt",
            tlsSecret("default", "shop-tls", "hello, I am not a certificate", SHOP_CERT.pkcs8KeyPem()),
            "tls.crt holds no PEM certificate"),
        Arguments.of("a corrupt PEM certificate",
            tlsSecret("default", "shop-tls",
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", SHOP_CERT.pkcs8KeyPem()),
            "tls.crt is not a valid PEM certificate"),
        Arguments.of("garbage in tls.key",
            tlsSecret("default", "shop-tls", SHOP_CERT.certificatePem(), "not a key"),
            "tls.key holds no PEM private key"),
        Arguments.of("a corrupt PEM key",
            tlsSecret("default", "shop-tls", SHOP_CERT.certificatePem(),
                "-----BEGIN PRIVATE KEY-----\nAAAAAAAA\n-----END PRIVATE KEY-----\n"),
            "tls.key"),
        Arguments.of("a key that belongs to another certificate",
            tlsSecret("default", "shop-tls", SHOP_CERT.certificatePem(), other.pkcs8KeyPem()),
            "does not belong to the certificate"),
        Arguments.of("an expired certificate",
            tlsSecret("default", "shop-tls", expired), "expired"));
  }

  @ParameterizedTest(name = "Ingress with {0}: reported, host falls back to the default, others untouched")
  @MethodSource("badSecrets")
  void badIngressSecretIsReportedAndIsolated(String situation, Secret secret, String problem) {
    Compiled c = compile(shopIngress(), blogIngress(),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "blog-tls", BLOG_CERT), secret == null ? List.of() : secret);
    Event event = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_TLS_SECRET);
    assertTrue(event.message().contains("default/shop-tls"), event.message());
    assertTrue(event.message().contains(problem), event.message());
    // The host is still served, over TLS with the default certificate, and still routed.
    assertEquals(new TlsPolicy(null, true, null), policy(c, SHOP));
    assertEquals(1, c.routeNames(SHOP).size());
    assertFalse(c.snapshot().certificatesByName().containsKey("default/shop-tls"));
    // The other host is untouched.
    assertEquals(new TlsPolicy("default/blog-tls", true, null), policy(c, BLOG));
    assertAllGood(c.ingressStatus("default", "blog"));
  }

  @ParameterizedTest(name = "ProxyRoute with {0}: ResolvedRefs=False naming the Secret")
  @MethodSource("badSecrets")
  void badProxyRouteSecretSetsTheCondition(String situation, Secret secret, String problem) {
    Compiled c = compile(
        proxyRoute("default", "shop").hosts(SHOP).tls("shop-tls").route(route("r").prefix("/").to("web", 80)),
        blogIngress(), backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "blog-tls", BLOG_CERT), secret == null ? List.of() : secret);
    ObjectStatus status = c.proxyRouteStatus("default", "shop");
    assertCondition(status, Reasons.RESOLVED_REFS, false, Reasons.INVALID_TLS_SECRET, "default/shop-tls");
    assertCondition(status, Reasons.RESOLVED_REFS, false, Reasons.INVALID_TLS_SECRET, problem);
    assertCondition(status, Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
    assertNull(policy(c, SHOP).certificate());
    assertEquals("default/blog-tls", policy(c, BLOG).certificate());
  }

  @Test
  @DisplayName("PKCS#1 RSA and SEC1 EC keys are accepted and travel as PKCS#8")
  void traditionalKeyFormats() {
    Issued rsa = TestCertificates.issue(TestCertificates.rsaKeys(), NOW.minusSeconds(60),
        NOW.plusSeconds(86_400), SHOP);
    Issued ec = issue(BLOG);
    assertTrue(rsa.traditionalKeyPem().contains("BEGIN RSA PRIVATE KEY"));
    assertTrue(ec.traditionalKeyPem().contains("BEGIN EC PRIVATE KEY"));
    Compiled c = compile(shopIngress(), blogIngress(), backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", rsa.certificatePem(), rsa.traditionalKeyPem()),
        tlsSecret("default", "blog-tls", ec.certificatePem(), ec.traditionalKeyPem()));
    assertEquals(List.of("default/blog-tls", "default/shop-tls", DefaultCertificate.GENERATED_NAME),
        c.snapshot().certificates().stream().map(TlsCertificate::name).toList(), () -> c.result().statuses().toString());
    assertEquals(rsa.pkcs8KeyPem(), c.snapshot().certificatesByName().get("default/shop-tls").privateKey());
    assertTrue(c.snapshot().certificatesByName().get("default/blog-tls").privateKey()
        .startsWith("-----BEGIN PRIVATE KEY-----"));
    assertAllGood(c.ingressStatus("default", "shop"));
    assertAllGood(c.ingressStatus("default", "blog"));
  }

  @Test
  @DisplayName("an EC key after an EC PARAMETERS block (openssl ecparam -genkey) is accepted")
  void ecParametersBeforeTheKey() {
    Issued ec = issue(SHOP);
    String withParams = "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n"
        + ec.traditionalKeyPem();
    Compiled c = compile(shopIngress(), backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", ec.certificatePem(), withParams));
    assertAllGood(c.ingressStatus("default", "shop"));
    assertTrue(c.snapshot().certificatesByName().containsKey("default/shop-tls"));
  }

  @Test
  @DisplayName("an encrypted private key is reported: the operator has no passphrase")
  void encryptedKey() {
    Compiled c = compile(shopIngress(), backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", SHOP_CERT.certificatePem(),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIBvTBXBgkqhkiG9w0BBQ0wSjApBgkqhkiG9w0BBQwwHAQI\n-----END ENCRYPTED PRIVATE KEY-----\n"));
    Event event = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_TLS_SECRET);
    assertTrue(event.message().contains("tls.key"), event.message());
  }

  @Test
  @DisplayName("a certificate whose names do not cover the host is served with a warning")
  void sanMismatchWarns() {
    Compiled c = compile(shopIngress(), backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", issue("other.example.org")));
    Event event = warning(c.ingressStatus("default", "shop"), Reasons.CERTIFICATE_HOST_MISMATCH);
    assertTrue(event.message().contains(SHOP) && event.message().contains("other.example.org"), event.message());
    assertEquals("default/shop-tls", policy(c, SHOP).certificate());
    assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS, null);
  }

  @Test
  @DisplayName("a wildcard certificate covers a host one label below it, and a wildcard host")
  void wildcardCertificateCovers() {
    Issued wild = issue("*.example.com");
    Compiled c = compile(
        ingress("default", "shop").host(SHOP).prefix("/", "web", 80).host("*.example.com")
            .prefix("/", "web", 80).tls("wild", SHOP, "*.example.com"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"), tlsSecret("default", "wild", wild));
    assertAllGood(c.ingressStatus("default", "shop"));
    assertEquals("default/wild", policy(c, SHOP).certificate());
    assertEquals("default/wild", policy(c, "*.example.com").certificate());
    assertFalse(CertificateValidator.covers(List.of("*.example.com"), "a.b.example.com"));
    assertFalse(CertificateValidator.covers(List.of("*.example.com"), "example.com"));
  }

  @Test
  @DisplayName("Ingress annotations turn the redirect off and set HSTS")
  void ingressAnnotations() {
    Compiled c = compile(
        shopIngress().annotation(TlsPass.SSL_REDIRECT_ANNOTATION, "false")
            .annotation(TlsPass.HSTS_MAX_AGE_ANNOTATION, "31536000")
            .annotation(TlsPass.HSTS_SUBDOMAINS_ANNOTATION, "true"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", SHOP_CERT));
    assertEquals(new TlsPolicy("default/shop-tls", false, new TlsPolicy.Hsts(31536000, true)),
        policy(c, SHOP));
  }

  @Test
  @DisplayName("a bad HSTS annotation is reported and sends no header; the redirect stays")
  void badHstsAnnotation() {
    Compiled c = compile(shopIngress().annotation(TlsPass.HSTS_MAX_AGE_ANNOTATION, "a year"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"), tlsSecret("default", "shop-tls", SHOP_CERT));
    warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
    assertEquals(new TlsPolicy("default/shop-tls", true, null), policy(c, SHOP));
  }

  @Test
  @DisplayName("a host without TLS has no policy and is not redirected")
  void plainHost() {
    Compiled c = compile(ingress("default", "blog").host(BLOG).prefix("/", "web", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertNull(policy(c, BLOG));
  }

  @Test
  @DisplayName("a changed Secret is a new snapshot version")
  void changedSecretNewVersion() {
    Function<Issued, String> version = cert -> compile(shopIngress(),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"), tlsSecret("default", "shop-tls", cert))
        .snapshot().version();
    assertEquals(version.apply(SHOP_CERT), version.apply(SHOP_CERT));
    assertNotEquals(version.apply(SHOP_CERT), version.apply(issue(SHOP)));
  }

  @Test
  @DisplayName("the older object's Secret wins a host; the younger is told")
  void olderClaimWins() {
    Compiled c = compile(
        shopIngress().created("2024-01-01T00:00:00Z"),
        ingress("default", "shop2").created("2025-01-01T00:00:00Z").host(SHOP).exact("/x", "web", 80)
            .tls("other-tls", SHOP),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        tlsSecret("default", "shop-tls", SHOP_CERT), tlsSecret("default", "other-tls", issue(SHOP)));
    assertEquals("default/shop-tls", policy(c, SHOP).certificate());
    assertTrue(warning(c.ingressStatus("default", "shop2"), Reasons.TLS_CONFLICT).message()
        .contains("Ingress default/shop"));
    assertFalse(c.snapshot().certificatesByName().containsKey("default/other-tls"));
  }

  @Test
  @DisplayName("--default-certificate names a Secret; while it is unusable the generated one serves")
  void defaultCertificateSecret() {
    CompilerSettings settings = CompilerSettings.defaults()
        .withDefaultCertificate(new DefaultCertificate("ops/fallback-tls", GENERATED));
    Compiled good = compileAt(NOW, settings, tlsSecret("ops", "fallback-tls", issue("fallback.example")));
    assertEquals("ops/fallback-tls", good.snapshot().defaultCertificate());
    assertFalse(good.snapshot().certificatesByName().containsKey(DefaultCertificate.GENERATED_NAME));

    Compiled bad = compileAt(NOW, settings, Fixtures.secret("ops", "fallback-tls", "Opaque"));
    assertEquals(DefaultCertificate.GENERATED_NAME, bad.snapshot().defaultCertificate());
    assertTrue(warning(bad.status("Secret", "ops", "fallback-tls"), Reasons.INVALID_TLS_SECRET)
        .message().contains("--default-certificate"));
  }

  @Test
  @DisplayName("without any default certificate the snapshot names none")
  void noDefault() {
    Compiled c = compileAt(NOW, CompilerSettings.defaults(), shopIngress(),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertNull(c.snapshot().defaultCertificate());
    assertNull(policy(c, SHOP).certificate());
  }

  @Test
  @DisplayName("the generated default certificate is a valid, matching, unexpired pair")
  void generatedCertificateValidates() throws Exception {
    TlsCertificate generated = io.portcullis.operator.tls.GeneratedCertificate.create(NOW);
    Secret s = tlsSecret("ops", "gen", generated.certificateChain(), generated.privateKey());
    CertificateValidator.Valid valid = CertificateValidator.validate("ops/gen", s, NOW.plusSeconds(3600));
    assertEquals(List.of("portcullis.invalid"), valid.dnsNames());
    assertFalse(generated.toString().contains("PRIVATE KEY"));
  }
}
