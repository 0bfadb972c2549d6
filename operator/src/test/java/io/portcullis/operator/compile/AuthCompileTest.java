package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.portcullis.operator.crd.AuthSpec;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.filter.AuthMechanism;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.BasicAuth;
import io.portcullis.snapshot.filter.ExternalAuth;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.OidcAuth;
import io.portcullis.snapshot.filter.UnusableAuth;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Authentication: ProxyRoute auth and the Ingress auth annotations, Secrets in, policies out. */
class AuthCompileTest {
  static final String BCRYPT = "$2y$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";
  static final String SHOP = "shop.example.com";
  static final String INGRESS_ROUTE = "ingress/default/shop/shop.example.com/";

  static Secret htpasswd(String name, String content) {
    Secret s = secret("default", name, "Opaque");
    s.setStringData(Map.of(AuthMechanisms.HTPASSWD_KEY, content));
    return s;
  }

  static AuthMechanism mechanism(Route route) {
    return route.filters().stream().filter(f -> f instanceof AuthPolicy)
        .map(f -> ((AuthPolicy) f).mechanism()).findFirst().orElse(null);
  }

  private static IngressFixture shopIngress() {
    return ingress("default", "shop").host(SHOP).prefix("/", "web", 80);
  }

  @Test
  void ingressBasicAuthAnnotationsBringTheHtpasswdIntoTheRoute() {
    Compiled c = compile(shopIngress().annotation(AuthMechanisms.AUTH_TYPE, "basic")
            .annotation(AuthMechanisms.AUTH_SECRET, "users").annotation(AuthMechanisms.AUTH_REALM, "Shop staff"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        htpasswd("users", "# staff\nalice:" + BCRYPT + "\n\n"));
    BasicAuth basic = assertInstanceOf(BasicAuth.class, mechanism(c.route(INGRESS_ROUTE)));
    assertEquals("Shop staff", basic.realm());
    assertEquals(Map.of("alice", BCRYPT), basic.users());
    assertEquals("x-remote-user", basic.userHeader());
    assertAllGood(c.ingressStatus("default", "shop"));
  }

  @Test
  void aMissingAuthSecretFailsClosedAndIsReported() {
    Compiled c = compile(shopIngress().annotation(AuthMechanisms.AUTH_TYPE, "basic")
            .annotation(AuthMechanisms.AUTH_SECRET, "nope"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertInstanceOf(UnusableAuth.class, mechanism(c.route(INGRESS_ROUTE)));
    assertTrue(warning(c.ingressStatus("default", "shop"), Reasons.INVALID_AUTH_SECRET)
        .message().contains("default/nope not found"));
  }

  @Test
  void md5AndPlainTextPasswordsAreRefusedByName() {
    Compiled c = compile(shopIngress().annotation(AuthMechanisms.AUTH_TYPE, "basic")
            .annotation(AuthMechanisms.AUTH_SECRET, "users"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        htpasswd("users", "alice:" + BCRYPT + "\nbob:$apr1$xyz$abc\ncarol:hunter2\n"));
    assertInstanceOf(UnusableAuth.class, mechanism(c.route(INGRESS_ROUTE)));
    String message = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_AUTH_SECRET).message();
    assertTrue(message.contains("bob (MD5)") && message.contains("carol (plain text"), message);
  }

  @Test
  void anUnknownAuthTypeFailsClosed() {
    Compiled c = compile(shopIngress().annotation(AuthMechanisms.AUTH_TYPE, "digest"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertInstanceOf(UnusableAuth.class, mechanism(c.route(INGRESS_ROUTE)));
    warning(c.ingressStatus("default", "shop"), Reasons.INVALID_AUTH);
  }

  @Test
  void ingressAuthUrlAsksAnExternalService() {
    Compiled c = compile(shopIngress().annotation(AuthMechanisms.AUTH_URL, "http://authz.auth.svc:8080/check")
            .annotation(AuthMechanisms.AUTH_RESPONSE_HEADERS, "X-User, X-Groups"),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    ExternalAuth external = assertInstanceOf(ExternalAuth.class, mechanism(c.route(INGRESS_ROUTE)));
    assertEquals("http://authz.auth.svc:8080/check", external.url());
    assertEquals(List.of("x-groups", "x-user"), external.responseHeaders());
    assertEquals(List.of("authorization", "cookie"), external.requestHeaders());
    assertEquals(ExternalAuth.OnError.DENY, external.onError());
  }

  @Test
  void externalAuthTakesItsMethodAndASignInRedirectWithTheOriginalUrlInItsParameter() {
    AuthSpec auth = new AuthSpec();
    auth.external = new AuthSpec.External();
    auth.external.url = "http://authz.auth.svc/check";
    auth.external.method = "POST";
    auth.external.signIn = "https://login.example/start?app=shop";
    auth.external.signInRedirectParam = "next";
    var pr = proxyRoute("default", "shop").hosts(SHOP)
        .route(route("app").prefix("/").to("web", 80))
        .route(route("kept").prefix("/kept").to("web", 80)).build();
    pr.getSpec().auth = auth;
    AuthSpec kept = new AuthSpec();
    kept.external = new AuthSpec.External();
    kept.external.url = "http://authz.auth.svc/check";
    kept.external.signIn = "/login?rd=$escaped_request_uri";
    pr.getSpec().routes.get(1).auth = kept;
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    ExternalAuth app = assertInstanceOf(ExternalAuth.class,
        mechanism(c.route("proxyroute/default/shop/app/" + SHOP)));
    assertEquals("POST", app.method());
    assertEquals("https://login.example/start?app=shop&next="
        + "$pass_access_scheme://$http_host$escaped_request_uri", app.signIn());
    ExternalAuth own = assertInstanceOf(ExternalAuth.class,
        mechanism(c.route("proxyroute/default/shop/kept/" + SHOP)));
    assertEquals(null, own.method(), "the request's own method");
    assertEquals("/login?rd=$escaped_request_uri", own.signIn(), "rd given: used as written");
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  void aSignInUrlWithAnUnknownVariableFailsClosedAndIsReported() {
    AuthSpec auth = new AuthSpec();
    auth.external = new AuthSpec.External();
    auth.external.url = "http://authz.auth.svc/check";
    auth.external.signIn = "https://login.example/start?u=$server_name";
    var pr = proxyRoute("default", "shop").hosts(SHOP).route(route("app").prefix("/").to("web", 80))
        .build();
    pr.getSpec().auth = auth;
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertInstanceOf(UnusableAuth.class, mechanism(c.route("proxyroute/default/shop/app/" + SHOP)));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_AUTH, "unknown variable $server_name");
  }

  @Test
  void nginxAuthAnnotationsAskWithGetByDefaultAndIgnoreAnUnusableSignIn() {
    IngressFixture ingress = ingress("default", "shop").className("nginx")
        .annotation(NginxCompatCompileTest.P + "auth-url", "http://authz.auth.svc/check")
        .annotation(NginxCompatCompileTest.P + "auth-signin", "https://login.example/?u=$server_name")
        .host(SHOP).prefix("/", "web", 80);
    Compiled c = compile(NginxCompatCompileTest.COMPAT, ingress,
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    ExternalAuth external = assertInstanceOf(ExternalAuth.class, mechanism(c.route(INGRESS_ROUTE)));
    assertEquals("GET", external.method(), "nginx's auth_request subrequest is a GET");
    assertEquals(null, external.signIn(), "a 401 passes as it is");
    assertTrue(c.ingressStatus("default", "shop").events().stream().anyMatch(e ->
        e.message().contains(NginxCompatCompileTest.P + "auth-signin")
            && e.message().contains("$server_name is not known")), c.ingressStatus("default", "shop").events().toString());
  }

  @Test
  void externalAuthCachesPerKeyAndStatus() {
    AuthSpec auth = new AuthSpec();
    auth.external = new AuthSpec.External();
    auth.external.url = "http://authz.auth.svc/check";
    auth.external.cacheDuration = "30s";
    auth.external.cacheStatuses = List.of(200, 401);
    auth.external.cacheKey = "$cookie_session";
    var pr = proxyRoute("default", "shop").hosts(SHOP).route(route("app").prefix("/").to("web", 80))
        .build();
    pr.getSpec().auth = auth;
    ExternalAuth external = assertInstanceOf(ExternalAuth.class, mechanism(
        compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"))
            .route("proxyroute/default/shop/app/" + SHOP)));
    assertEquals(Map.of(200, 30_000L, 401, 30_000L), external.cacheByStatus());
    assertEquals(0, external.cacheMillis());
    assertEquals("$cookie_session", external.cacheKey());

    auth.external.cacheStatuses = List.of(200, 500);
    Compiled bad = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertInstanceOf(UnusableAuth.class, mechanism(bad.route("proxyroute/default/shop/app/" + SHOP)));
    assertCondition(bad.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_AUTH, "a 500 answer does not decide");
  }

  @Test
  void nginxAuthCacheDurationsAreNginxsAndAMalformedOneFailsClosed() throws Exception {
    assertEquals(Map.of(200, 300_000L, 202, 300_000L, 401, 300_000L),
        AuthCacheDurations.parse(AuthCacheDurations.NGINX_DEFAULT));
    assertEquals(Map.of(200, 600_000L, 401, 60_000L, 403, 3_600_000L),
        AuthCacheDurations.parse("200 500 10m, 401 200 1m,403 2d, 202 0s"),
        "first group wins; 500 left out; cut to 1h; zero caches nothing");
    IngressFixture ingress = ingress("default", "shop").className("nginx")
        .annotation(NginxCompatCompileTest.P + "auth-url", "http://authz.auth.svc/check")
        .annotation(NginxCompatCompileTest.P + "auth-cache-key", "$http_authorization")
        .annotation(NginxCompatCompileTest.P + "auth-cache-duration", "200 202")
        .host(SHOP).prefix("/", "web", 80);
    Compiled c = compile(NginxCompatCompileTest.COMPAT, ingress,
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertInstanceOf(UnusableAuth.class, mechanism(c.route(INGRESS_ROUTE)));
    assertTrue(warning(c.ingressStatus("default", "shop"), Reasons.INVALID_AUTH).message()
        .contains("does not end in a time"));
  }

  @Test
  void anIngressWithoutAuthAnnotationsHasNoAuth() {
    Compiled c = compile(shopIngress(), backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertEquals(null, mechanism(c.route(INGRESS_ROUTE)));
  }

  private static AuthSpec jwt() {
    AuthSpec auth = new AuthSpec();
    auth.jwt = new AuthSpec.Jwt();
    auth.jwt.issuer = "https://idp.example";
    auth.jwt.audiences = List.of("shop");
    auth.jwt.jwksUri = "https://idp.example/jwks";
    auth.jwt.claimHeaders = Map.of("sub", "X-User");
    auth.jwt.clockSkew = "30s";
    return auth;
  }

  private static AuthSpec basic(String secret) {
    AuthSpec auth = new AuthSpec();
    auth.basic = new AuthSpec.Basic();
    auth.basic.secret = secret;
    return auth;
  }

  @Test
  void specWideAuthCoversEveryRouteAndARoutesOwnReplacesIt() {
    var pr = proxyRoute("default", "shop").hosts(SHOP)
        .route(route("api").prefix("/api").to("web", 80))
        .route(route("admin").prefix("/admin").to("web", 80))
        .build();
    pr.getSpec().auth = jwt();
    pr.getSpec().routes.get(1).auth = basic("admins");
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        htpasswd("admins", "root:" + BCRYPT));
    JwtAuth jwt = assertInstanceOf(JwtAuth.class,
        mechanism(c.route("proxyroute/default/shop/api/" + SHOP)));
    assertEquals(30, jwt.clockSkewSeconds());
    assertEquals(Map.of("sub", "x-user"), jwt.claimHeaders());
    assertInstanceOf(BasicAuth.class, mechanism(c.route("proxyroute/default/shop/admin/" + SHOP)));
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  void aProxyRouteNamingAMissingSecretKeepsItsRouteAnswering503() {
    var pr = proxyRoute("default", "shop").hosts(SHOP).route(route("api").prefix("/").to("web", 80))
        .build();
    pr.getSpec().routes.get(0).auth = basic("missing");
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertInstanceOf(UnusableAuth.class, mechanism(c.route("proxyroute/default/shop/api/" + SHOP)));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.RESOLVED_REFS, false,
        Reasons.INVALID_AUTH_SECRET, "default/missing not found");
  }

  @Test
  void jwtKeysMayComeFromASecret() {
    AuthSpec auth = jwt();
    auth.jwt.jwksUri = null;
    auth.jwt.jwksSecret = "keys";
    Secret keys = secret("default", "keys", "Opaque");
    keys.setStringData(Map.of(AuthMechanisms.JWKS_KEY, "{\"keys\":[{\"kty\":\"EC\",\"crv\":\"P-256\","
        + "\"x\":\"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU\","
        + "\"y\":\"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0\"}]}"));
    var pr = proxyRoute("default", "shop").hosts(SHOP).route(route("api").prefix("/").to("web", 80))
        .build();
    pr.getSpec().auth = auth;
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"), keys);
    JwtAuth jwt = assertInstanceOf(JwtAuth.class,
        mechanism(c.route("proxyroute/default/shop/api/" + SHOP)));
    assertTrue(jwt.jwks().contains("P-256"));
  }

  @Test
  void twoMechanismsAtOneLevelAreRejectedAndFailClosed() {
    AuthSpec both = jwt();
    both.basic = basic("x").basic;
    var pr = proxyRoute("default", "shop").hosts(SHOP).route(route("api").prefix("/").to("web", 80))
        .build();
    pr.getSpec().auth = both;
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertInstanceOf(UnusableAuth.class, mechanism(c.route("proxyroute/default/shop/api/" + SHOP)));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_AUTH, "exactly one of basic, external, jwt or oidc");
  }

  private static AuthSpec oidc() {
    AuthSpec auth = new AuthSpec();
    auth.oidc = new AuthSpec.Oidc();
    auth.oidc.issuer = "https://idp.example/realms/shop";
    auth.oidc.clientId = "shop";
    auth.oidc.clientSecret = new AuthSpec.SecretKeyRef();
    auth.oidc.clientSecret.name = "oidc";
    auth.oidc.clientSecret.key = "client-secret";
    auth.oidc.allowedGroups = List.of("staff");
    return auth;
  }

  private static Secret opaque(String name, Map<String, String> data) {
    Secret s = secret("default", name, "Opaque");
    s.setStringData(data);
    return s;
  }

  private static Compiled compileOidc(AuthSpec auth, Object... more) {
    var pr = proxyRoute("default", "shop").hosts(SHOP).route(route("app").prefix("/").to("web", 80))
        .build();
    pr.getSpec().auth = auth;
    List<Object> objects = new java.util.ArrayList<>(List.of(pr,
        backendWithEndpoints("default", "web", 80, "10.0.0.1")));
    objects.addAll(List.of(more));
    return compile(objects.toArray());
  }

  @Test
  void oidcTakesItsClientSecretAndSessionKeysFromSecrets() {
    String current = java.util.Base64.getEncoder().encodeToString(new byte[32]);
    byte[] old = new byte[32];
    old[0] = 1;
    String previous = java.util.Base64.getEncoder().encodeToString(old);
    AuthSpec auth = oidc();
    auth.oidc.sessionSecret = "sessions";
    Compiled c = compileOidc(auth, opaque("oidc", Map.of("client-secret", "s3cret\n")),
        opaque("sessions", Map.of(AuthMechanisms.SESSION_KEY, current,
            AuthMechanisms.PREVIOUS_SESSION_KEY, previous)));
    OidcAuth o = assertInstanceOf(OidcAuth.class,
        mechanism(c.route("proxyroute/default/shop/app/" + SHOP)));
    assertEquals("s3cret", o.clientSecret());
    assertEquals(List.of(current, previous), o.sessionKeys());
    assertEquals("/oauth2/callback", o.callbackPath());
    assertEquals("/oauth2/logout", o.logoutPath());
    assertEquals(List.of("openid"), o.scopes());
    assertEquals(12 * 3600, o.sessionMaxAgeSeconds());
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  void withoutASessionSecretTheKeyIsDerivedFromTheClientSecret() {
    Compiled c = compileOidc(oidc(), opaque("oidc", Map.of("client-secret", "s3cret")));
    OidcAuth o = assertInstanceOf(OidcAuth.class,
        mechanism(c.route("proxyroute/default/shop/app/" + SHOP)));
    assertEquals(List.of(AuthMechanisms.derivedSessionKey("s3cret", "default", "shop")), o.sessionKeys());
    assertEquals(32, java.util.Base64.getDecoder().decode(o.sessionKeys().get(0)).length);
  }

  @Test
  void oidcWithAMissingClientSecretOrABadSessionKeyFailsClosed() {
    Compiled missing = compileOidc(oidc());
    assertInstanceOf(UnusableAuth.class,
        mechanism(missing.route("proxyroute/default/shop/app/" + SHOP)));
    assertCondition(missing.proxyRouteStatus("default", "shop"), Reasons.RESOLVED_REFS, false,
        Reasons.INVALID_AUTH_SECRET, "default/oidc not found");
    AuthSpec auth = oidc();
    auth.oidc.sessionSecret = "sessions";
    Compiled bad = compileOidc(auth, opaque("oidc", Map.of("client-secret", "s3cret")),
        opaque("sessions", Map.of(AuthMechanisms.SESSION_KEY, "short")));
    assertCondition(bad.proxyRouteStatus("default", "shop"), Reasons.RESOLVED_REFS, false,
        Reasons.INVALID_AUTH_SECRET, "32 random bytes");
  }

  @Test
  void theAuthExamplesCompileWithEveryObjectAcceptedAndEachMechanismInPlace() throws Exception {
    Compiled c;
    try (var source = new io.portcullis.operator.source.ManifestsSource(
        java.nio.file.Path.of("..", "examples", "auth"))) {
      source.start(() -> {});
      c = new Compiled(new Compiler(CompilerSettings.defaults()).compile(source.state()));
    }
    for (ObjectStatus s : c.result().statuses()) {
      assertAllGood(s);
    }
    assertInstanceOf(BasicAuth.class, mechanism(c.route("ingress/default/basic/basic.localhost/")));
    assertInstanceOf(ExternalAuth.class,
        mechanism(c.route("proxyroute/default/external/denied/external.localhost")));
    assertInstanceOf(ExternalAuth.class, mechanism(c.route("ingress/default/external-ingress/external-ingress.localhost/")));
    assertInstanceOf(JwtAuth.class, mechanism(c.route("proxyroute/default/jwt/api/jwt.localhost")));
    OidcAuth staff = assertInstanceOf(OidcAuth.class,
        mechanism(c.route("proxyroute/default/sso/staff/sso.localhost")));
    OidcAuth app = assertInstanceOf(OidcAuth.class,
        mechanism(c.route("proxyroute/default/sso/app/sso.localhost")));
    assertEquals(List.of("staff"), staff.allowedGroups());
    assertEquals(app.sessionKeys(), staff.sessionKeys(), "one session for the whole host");
  }

  @Test
  void oidcCallbackAndLogoutAreRoutedEvenWhenNoRouteCoversThem() {
    var pr = proxyRoute("default", "shop").hosts(SHOP)
        .route(route("app").prefix("/app").to("web", 80)).build();
    pr.getSpec().auth = oidc();
    Compiled c = compile(pr, backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        opaque("oidc", Map.of("client-secret", "s3cret")));
    Route callback = c.route("proxyroute/default/shop/oidc-oauth2-callback/" + SHOP);
    assertEquals(new io.portcullis.snapshot.PathMatch.Exact("/oauth2/callback"),
        callback.match().path());
    assertInstanceOf(OidcAuth.class, mechanism(callback));
    assertInstanceOf(OidcAuth.class,
        mechanism(c.route("proxyroute/default/shop/oidc-oauth2-logout/" + SHOP)));
    assertAllGood(c.proxyRouteStatus("default", "shop"));

    Compiled covered = compileOidc(oidc(), opaque("oidc", Map.of("client-secret", "s3cret")));
    assertEquals(List.of("proxyroute/default/shop/app/" + SHOP), covered.routeNames(SHOP));
  }
}
