package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.secret;
import static io.portcullis.operator.compile.NginxSockets.HOST;
import static io.portcullis.operator.compile.NginxSockets.P;
import static io.portcullis.operator.compile.NginxSockets.basic;
import static io.portcullis.operator.compile.NginxSockets.nginx;
import static io.portcullis.operator.compile.NginxSockets.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.compile.NginxSockets.Response;
import java.net.InetAddress;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * In-process end to end, per family: ingress-nginx-annotated Ingresses through the real compiler,
 * the snapshot applied to a real dataplane proxy, real HTTP/1.1 requests over sockets to it, and
 * real backends that echo what reached them. The expected results are ingress-nginx's documented
 * behaviour.
 */
class NginxCompatSocketTest {
  /** openssl passwd -6 -salt nginxcompat s3cret */
  static final String SHA512_S3CRET =
      "$6$nginxcompat$8M1OQQqPwGMgmaR18btfLWjfPYrE2.BxGClxUmUyFMtz6r5Y4v5b8ZtR43iT4L83N2gbIo/Q/PRCXB5GkOHjD.";
  /** openssl passwd -5 -salt mapsalt hunter2 */
  static final String SHA256_HUNTER2 = "$5$mapsalt$MawTQ80LTwQU0rrjaIWotZ6bxf9f4DfqJgpwHeN3jt1";

  private final NginxSockets rig = new NginxSockets();

  @AfterEach
  void stop() {
    rig.close();
  }

  // ---------------------------------------------------------------- paths and headers

  @Test
  @DisplayName("rewrite-target /$2 with path /api(/|$)(.*) sends /api/users as /users")
  void rewriteTargetWithCaptureGroups() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "rewrite-target", "/$2").annotation(P + "use-regex", "true")
        .host(HOST).implementationSpecific("/api(/|$)(.*)", "web", web), service("web", web));
    assertEquals("web /users", rig.get("/api/users").body());
    assertEquals("web /users/7?x=1", rig.get("/api/users/7?x=1").body());
    assertEquals("web /", rig.get("/api").body());
    assertEquals(404, rig.get("/apix").status());
  }

  @Test
  @DisplayName("rewrite-target / without groups replaces the whole path")
  void rewriteTargetWhole() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "rewrite-target", "/")
        .host(HOST).prefix("/old", "web", web), service("web", web));
    assertEquals("web /", rig.get("/old/deep/page").body());
  }

  @Test
  @DisplayName("app-root, x-forwarded-prefix, upstream-vhost and server-alias")
  void appRootHeadersAndAlias() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "app-root", "/app").annotation(P + "x-forwarded-prefix", "/shop")
        .annotation(P + "upstream-vhost", "internal.svc").annotation(P + "server-alias", "www.example.com")
        .host(HOST).prefix("/", "web", web), service("web", web));
    Response root = rig.get("/");
    assertEquals(302, root.status());
    assertTrue(root.header("location").endsWith("/app"), root.header("location"));
    Response page = rig.get("/app");
    assertEquals("web /app", page.body());
    assertEquals("internal.svc", page.header("x-echo-host"));
    assertEquals("/shop", page.header("x-echo-x-forwarded-prefix"));
    assertEquals("web /app", rig.request("www.example.com", "GET", "/app", Map.of()).body());
  }

  // ---------------------------------------------------------------- redirects

  @Test
  @DisplayName("ssl-redirect: 308 to https for a host with TLS by default; ssl-redirect false serves HTTP")
  void sslRedirect() throws Exception {
    int web = rig.backend("web").port();
    TestCertificates.Issued cert = TestCertificates.issueNow(HOST, "plain.example.com");
    Secret tls = TestCertificates.tlsSecret("default", "shop-tls", cert);
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web).tls("shop-tls", HOST),
        nginx("plain").annotation(P + "ssl-redirect", "false").host("plain.example.com")
            .prefix("/", "web", web).tls("shop-tls", "plain.example.com"),
        tls), service("web", web));
    Response redirected = rig.get("/x?y=1");
    assertEquals(308, redirected.status());
    assertEquals("https://" + HOST + "/x?y=1", redirected.header("location"));
    assertEquals("web /x", rig.request("plain.example.com", "GET", "/x", Map.of()).body());
  }

  @Test
  @DisplayName("permanent-redirect (+code) and temporal-redirect answer every path")
  void permanentAndTemporalRedirects() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(List.of(
        nginx("moved").annotation(P + "permanent-redirect", "https://new.example.com/landing")
            .host(HOST).prefix("/", "web", web),
        nginx("moved308").annotation(P + "permanent-redirect", "https://new.example.com/")
            .annotation(P + "permanent-redirect-code", "308").host("b.example.com").prefix("/", "web", web),
        nginx("away").annotation(P + "temporal-redirect", "http://maintenance.example.com/sorry")
            .host("c.example.com").prefix("/", "web", web)), service("web", web));
    Response moved = rig.get("/anything");
    assertEquals(301, moved.status());
    assertEquals("https://new.example.com/landing", moved.header("location"));
    assertEquals(308, rig.request("b.example.com", "GET", "/", Map.of()).status());
    Response away = rig.request("c.example.com", "GET", "/x", Map.of());
    assertEquals(302, away.status());
    assertEquals("http://maintenance.example.com/sorry", away.header("location"));
  }

  // ---------------------------------------------------------------- canary and affinity

  @Test
  @DisplayName("canary-by-header x-canary: always takes the canary, never never does; weight 0 keeps the rest on main")
  void canaryByHeader() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-canary")
            .host(HOST).prefix("/", "next", next)),
        service("web", web), service("next", next));
    assertEquals("next /a", rig.request(HOST, "GET", "/a", Map.of("x-canary", "always")).body());
    assertEquals("web /a", rig.request(HOST, "GET", "/a", Map.of("x-canary", "never")).body());
    for (int i = 0; i < 5; i++) {
      assertEquals("web /a", rig.get("/a").body());
    }
  }

  @Test
  @DisplayName("canary-weight 100 sends every request to the canary; a header value matches exactly")
  void canaryByWeightAndValue() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-weight", "100")
            .host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-region")
            .annotation(P + "canary-by-header-value", "eu").host("api.example.com").prefix("/", "next", next)),
        service("web", web), service("next", next));
    for (int i = 0; i < 5; i++) {
      assertEquals("next /", rig.get("/").body());
    }
    assertEquals("next /", rig.request("api.example.com", "GET", "/", Map.of("x-region", "eu")).body());
    assertEquals("web /", rig.request("api.example.com", "GET", "/", Map.of("x-region", "us")).body());
  }

  @Test
  @DisplayName("affinity cookie: the proxy issues the session cookie")
  void affinityCookie() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "affinity", "cookie").annotation(P + "session-cookie-name", "route")
        .annotation(P + "session-cookie-max-age", "600").host(HOST).prefix("/", "web", web),
        service("web", web));
    String cookie = rig.get("/").header("set-cookie");
    assertNotNull(cookie);
    assertTrue(cookie.startsWith("route="), cookie);
    assertTrue(cookie.toLowerCase(Locale.ROOT).contains("max-age=600"), cookie);
  }

  @Test
  @DisplayName("upstream-hash-by $http_x_user: each user sticks to one endpoint")
  void hashByHeader() throws Exception {
    int port = rig.backend("one").port();
    rig.backend("two", InetAddress.getByName("127.0.0.2"), port, 200);
    rig.serve(nginx("shop").annotation(P + "upstream-hash-by", "$http_x_user").host(HOST).prefix("/", "web", port),
        service("web", port, "127.0.0.1", "127.0.0.2"));
    for (String user : List.of("ann", "ben", "cat", "dan", "eve")) {
      String first = rig.request(HOST, "GET", "/", Map.of("x-user", user)).body();
      for (int i = 0; i < 4; i++) {
        assertEquals(first, rig.request(HOST, "GET", "/", Map.of("x-user", user)).body(), user);
      }
    }
  }

  @Test
  @DisplayName("proxy-read-timeout: a backend silent for longer gets the client a 504")
  void readTimeout() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "proxy-read-timeout", "1").host(HOST).prefix("/", "web", web),
        service("web", web));
    assertEquals("web /fast", rig.get("/fast").body());
    assertEquals(504, rig.get("/slow").status());
  }

  // ---------------------------------------------------------------- CORS, auth, WAF, refusals

  @Test
  @DisplayName("enable-cors answers a preflight with ingress-nginx's defaults")
  void cors() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "enable-cors", "true").host(HOST).prefix("/", "web", web),
        service("web", web));
    Response preflight = rig.request(HOST, "OPTIONS", "/api", Map.of("origin", "https://app.example.org",
        "access-control-request-method", "PATCH"));
    assertTrue(preflight.status() == 200 || preflight.status() == 204, "status " + preflight.status());
    assertEquals("*", preflight.header("access-control-allow-origin"));
    assertTrue(preflight.header("access-control-allow-methods").contains("PATCH"));
    assertEquals("1728000", preflight.header("access-control-max-age"));
  }

  @Test
  @DisplayName("auth-type basic with an auth-file and an auth-map Secret, and auth-realm")
  void basicAuth() throws Exception {
    int web = rig.backend("web").port();
    Secret file = secret("default", "users-file", "Opaque");
    file.setStringData(Map.of("auth", "alice:" + SHA512_S3CRET + "\n"));
    Secret map = secret("default", "users-map", "Opaque");
    map.setStringData(Map.of("bob", SHA256_HUNTER2));
    rig.serve(List.of(
        nginx("shop").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "users-file")
            .annotation(P + "auth-realm", "Staff only").host(HOST).prefix("/", "web", web),
        nginx("map").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "default/users-map")
            .annotation(P + "auth-secret-type", "auth-map").host("map.example.com").prefix("/", "web", web),
        file, map), service("web", web));
    Response denied = rig.get("/");
    assertEquals(401, denied.status());
    assertTrue(denied.header("www-authenticate").contains("Staff only"), denied.header("www-authenticate"));
    assertEquals("web /", rig.request(HOST, "GET", "/", Map.of("authorization", basic("alice", "s3cret"))).body());
    assertEquals(401, rig.request(HOST, "GET", "/", Map.of("authorization", basic("alice", "wrong"))).status());
    assertEquals(401, rig.request("map.example.com", "GET", "/", Map.of()).status());
    assertEquals("web /", rig.request("map.example.com", "GET", "/",
        Map.of("authorization", basic("bob", "hunter2"))).body());
  }

  @Test
  @DisplayName("auth-url lets a request through on 2xx and copies auth-response-headers")
  void externalAuth() throws Exception {
    int web = rig.backend("web").port();
    int auth = rig.server("/check", exchange -> {
      boolean ok = "Bearer letmein".equals(exchange.getRequestHeaders().getFirst("authorization"));
      if (ok) {
        exchange.getResponseHeaders().set("X-User", "carol");
      }
      exchange.sendResponseHeaders(ok ? 200 : 401, -1);
      exchange.close();
    });
    rig.serve(nginx("shop").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
        .annotation(P + "auth-response-headers", "X-User").host(HOST).prefix("/", "web", web),
        service("web", web));
    assertEquals(401, rig.get("/").status());
    Response ok = rig.request(HOST, "GET", "/", Map.of("authorization", "Bearer letmein"));
    assertEquals("web /", ok.body());
    assertEquals("carol", ok.header("x-echo-x-user"));
  }

  @Test
  @DisplayName("whitelist-source-range and denylist-source-range: 403 for clients outside or inside")
  void sourceRanges() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(List.of(
        nginx("allowed").annotation(P + "whitelist-source-range", "10.0.0.0/8, 127.0.0.1/32")
            .host(HOST).prefix("/", "web", web),
        nginx("elsewhere").annotation(P + "whitelist-source-range", "10.0.0.0/8")
            .host("b.example.com").prefix("/", "web", web),
        nginx("denied").annotation(P + "denylist-source-range", "127.0.0.0/8")
            .host("c.example.com").prefix("/", "web", web)), service("web", web));
    assertEquals("web /", rig.get("/").body());
    assertEquals(403, rig.request("b.example.com", "GET", "/", Map.of()).status());
    assertEquals(403, rig.request("c.example.com", "GET", "/", Map.of()).status());
  }

  @Test
  @DisplayName("limit-rpm with limit-burst-multiplier: the client's burst is served, the next request gets 503 (ingress-nginx's default status)")
  void limitRpm() throws Exception {
    int web = rig.backend("web").port();
    // One a minute, so no token comes back while the test runs, however slow the machine.
    rig.serve(nginx("limited").annotation(P + "limit-rpm", "1").annotation(P + "limit-burst-multiplier", "2")
        .host(HOST).prefix("/", "web", web), service("web", web));
    // nginx's limit_req burst=2 nodelay admits burst + 1 at once.
    for (int i = 0; i < 3; i++) {
      assertEquals("web /", rig.get("/").body());
    }
    assertEquals(503, rig.get("/").status());
  }

  @Test
  @DisplayName("snippets and unknown annotations are refused; the Ingress is served; modsecurity only detects")
  void refusalsStillServe() throws Exception {
    int web = rig.backend("web").port();
    Compiled c = rig.serve(nginx("shop").annotation(P + "configuration-snippet", "return 403;")
        .annotation(P + "enable-modsecurity", "true").annotation(P + "enable-owasp-core-rules", "true")
        .host(HOST).prefix("/", "web", web), service("web", web));
    assertEquals("web /q?x=%3Cscript%3Ealert(1)%3C/script%3E", rig.get("/q?x=%3Cscript%3Ealert(1)%3C/script%3E").body());
    assertTrue(c.ingressStatus("default", "shop").events().stream()
        .anyMatch(e -> e.reason().equals(Reasons.NGINX_ANNOTATION_REFUSED) && e.message().contains("configuration-snippet")));
  }
}
