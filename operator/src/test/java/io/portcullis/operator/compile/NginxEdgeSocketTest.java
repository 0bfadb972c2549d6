package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.NginxSockets.HOST;
import static io.portcullis.operator.compile.NginxSockets.P;
import static io.portcullis.operator.compile.NginxSockets.basic;
import static io.portcullis.operator.compile.NginxSockets.nginx;
import static io.portcullis.operator.compile.NginxSockets.service;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.portcullis.operator.compile.NginxSockets.Backend;
import io.portcullis.operator.compile.NginxSockets.Response;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * ingress-nginx's redirect, affinity, hashing, CORS and rate-limit annotations through real
 * sockets; the expected results are ingress-nginx's documented behaviour (annotations.md and its
 * e2e tests), and where Portcullis differs on purpose the migration table says so.
 */
class NginxEdgeSocketTest {
  private final NginxSockets rig = new NginxSockets();

  @AfterEach
  void stop() {
    rig.close();
  }

  // ---------------------------------------------------------------- https redirects

  @Test
  @DisplayName("ssl-redirect and force-ssl-redirect: 308 to https on TLS hosts and, forced, on hosts without TLS; X-Forwarded-Proto from a client is not believed")
  void httpsRedirects() throws Exception {
    Backend web = rig.backend("web");
    TestCertificates.Issued cert = TestCertificates.issueNow("tls.example.com", "forced-tls.example.com");
    Secret tls = TestCertificates.tlsSecret("default", "shop-tls", cert);
    rig.serve(List.of(
        nginx("tls").host("tls.example.com").prefix("/", "web", web.port()).tls("shop-tls", "tls.example.com"),
        nginx("forced").annotation(P + "force-ssl-redirect", "true")
            .host("forced.example.com").prefix("/", "web", web.port()),
        nginx("forced-tls").annotation(P + "force-ssl-redirect", "true").annotation(P + "ssl-redirect", "false")
            .host("forced-tls.example.com").prefix("/", "web", web.port()).tls("shop-tls", "forced-tls.example.com")
            // A rule host the Ingress's spec.tls does not name is forced too.
            .host("forced-other.example.com").prefix("/", "web", web.port()),
        nginx("plain").host("plain.example.com").prefix("/", "web", web.port()),
        tls), service("web", web.port()));
    for (String host : List.of("tls.example.com", "forced.example.com", "forced-tls.example.com",
        "forced-other.example.com")) {
      Response r = rig.get(host, "/a/b?c=d", Map.of());
      assertEquals(308, r.status(), host);
      assertEquals("https://" + host + "/a/b?c=d", r.header("location"), host);
    }
    // use-forwarded-headers is off by default in ingress-nginx: a client's claim changes nothing.
    assertEquals(308, rig.get("forced.example.com", "/", Map.of("x-forwarded-proto", "https")).status());
    assertEquals("web /", rig.get("plain.example.com", "/", Map.of()).body());
  }

  @ParameterizedTest(name = "{0}: {1} answers {2}")
  @CsvSource({
      "permanent-redirect, '', 301",
      "permanent-redirect, 301, 301",
      "permanent-redirect, 302, 302",
      "permanent-redirect, 303, 303",
      "permanent-redirect, 307, 307",
      "permanent-redirect, 308, 308",
      // An unusable code: the default, as ingress-nginx does.
      "permanent-redirect, 200, 301",
      "temporal-redirect, '', 302",
      "temporal-redirect, 307, 307",
      "temporal-redirect, 999, 302",
      // ingress-nginx takes temporal codes from 300 to 307 only.
      "temporal-redirect, 308, 302",
  })
  void redirectCodes(String annotation, String code, int expected) throws Exception {
    Backend web = rig.backend("web");
    var ingress = nginx("moved").annotation(P + annotation, "https://new.example.com/landing");
    if (!code.isEmpty()) {
      ingress.annotation(P + annotation + "-code", code);
    }
    rig.serve(ingress.host(HOST).prefix("/", "web", web.port()), service("web", web.port()));
    Response r = rig.get("/anything");
    assertEquals(expected, r.status());
    assertEquals("https://new.example.com/landing", r.header("location"));
    assertEquals(0, web.requests());
  }

  @Test
  @DisplayName("temporal-redirect wins over permanent-redirect on the same Ingress, as ingress-nginx reads them")
  void temporalWinsOverPermanent() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("both").annotation(P + "permanent-redirect", "https://permanent.example.com/")
            .annotation(P + "temporal-redirect", "https://temporal.example.com/")
            .host(HOST).prefix("/", "web", web.port()), service("web", web.port()));
    Response r = rig.get("/");
    assertEquals(302, r.status());
    assertEquals("https://temporal.example.com/", r.header("location"));
  }

  // ---------------------------------------------------------------- affinity and hashing

  @Test
  @DisplayName("affinity cookie: session-cookie-name, -path, -max-age, -samesite and -secure shape the cookie; the cookie keeps the client on its endpoint")
  void sessionCookie() throws Exception {
    Backend one = rig.backend("one", InetAddress.getByName("127.0.0.1"), 0, 200);
    rig.backend("two", InetAddress.getByName("127.0.0.2"), one.port(), 200);
    rig.serve(nginx("shop").annotation(P + "affinity", "cookie").annotation(P + "session-cookie-name", "route")
            .annotation(P + "session-cookie-path", "/shop").annotation(P + "session-cookie-max-age", "172800")
            .annotation(P + "session-cookie-samesite", "Strict").annotation(P + "session-cookie-secure", "true")
            .host(HOST).prefix("/", "web", one.port()),
        service("web", one.port(), "127.0.0.1", "127.0.0.2"));
    Response first = rig.get("/shop");
    String cookie = first.header("set-cookie");
    assertNotNull(cookie);
    List<String> attributes = List.of(cookie.split(";\\s*"));
    assertTrue(attributes.get(0).startsWith("route="), cookie);
    assertTrue(attributes.contains("Path=/shop"), cookie);
    assertTrue(attributes.contains("Max-Age=172800"), cookie);
    assertTrue(attributes.contains("SameSite=Strict"), cookie);
    assertTrue(attributes.contains("Secure"), cookie);
    assertTrue(attributes.contains("HttpOnly"), cookie);
    for (int i = 0; i < 6; i++) {
      Response again = rig.get(HOST, "/shop", Map.of("cookie", attributes.get(0)));
      assertEquals(first.backend(), again.backend());
      assertNull(again.header("set-cookie"), "a client with a valid cookie gets no new one");
    }
  }

  @ParameterizedTest(name = "affinity-mode {0}")
  @CsvSource({"persistent", "balanced"})
  @DisplayName("affinity-mode: clients keep their endpoint when the Service gains endpoints (balanced too: documented as partly)")
  void affinityModeKeepsClientsWhenEndpointsAreAdded(String mode) throws Exception {
    Backend one = rig.backend("one", InetAddress.getByName("127.0.0.1"), 0, 200);
    rig.backend("two", InetAddress.getByName("127.0.0.2"), one.port(), 200);
    rig.backend("three", InetAddress.getByName("127.0.0.3"), one.port(), 200);
    var ingress = nginx("shop").annotation(P + "affinity", "cookie").annotation(P + "affinity-mode", mode)
        .host(HOST).prefix("/", "web", one.port());
    rig.serve(ingress, service("web", one.port(), "127.0.0.1", "127.0.0.2"));
    Map<String, String> endpointOf = new java.util.LinkedHashMap<>();
    for (int i = 0; i < 12; i++) {
      Response first = rig.get("/");
      String cookie = first.header("set-cookie").split(";")[0];
      endpointOf.put(cookie, first.backend());
    }
    assertTrue(endpointOf.containsValue("one") && endpointOf.containsValue("two"), endpointOf::toString);
    rig.serve(ingress, service("web", one.port(), "127.0.0.1", "127.0.0.2", "127.0.0.3"));
    for (Map.Entry<String, String> client : endpointOf.entrySet()) {
      assertEquals(client.getValue(), rig.get(HOST, "/", Map.of("cookie", client.getKey())).backend(),
          client.getKey());
    }
    // New clients reach the new endpoint too.
    await().atMost(Duration.ofSeconds(10)).until(() -> rig.get("/").backend().equals("three"));
  }

  @Test
  @DisplayName("affinity cookie: session-cookie-expires alone gives a lasting cookie; the default name is INGRESSCOOKIE")
  void sessionCookieExpiresAndDefaultName() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "affinity", "cookie").annotation(P + "session-cookie-expires", "3600")
        .host(HOST).prefix("/", "web", web.port()), service("web", web.port()));
    String cookie = rig.get("/").header("set-cookie");
    assertTrue(cookie.startsWith("INGRESSCOOKIE="), cookie);
    assertTrue(cookie.toLowerCase(Locale.ROOT).contains("max-age=3600"), cookie);
    assertFalse(cookie.contains("SameSite") || cookie.contains("Secure"), cookie);
  }

  @Test
  @DisplayName("affinity cookie without session-cookie-path: its Path is the Ingress path that issued it, one per path of the same backend (ingress-nginx's $location_path)")
  void sessionCookiePathIsTheLocation() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "affinity", "cookie").annotation(P + "session-cookie-name", "SERVERID")
            .host(HOST).prefix("/something", "web", web.port()).prefix("/somewhereelse", "web", web.port()),
        nginx("root").annotation(P + "affinity", "cookie").host("root.example.com").prefix("/", "web", web.port()),
        service("web", web.port()));
    assertTrue(rig.get("/something").header("set-cookie").contains("; Path=/something;"));
    assertTrue(rig.get("/somewhereelse/x").header("set-cookie").contains("; Path=/somewhereelse;"));
    assertTrue(rig.get("root.example.com", "/a", Map.of()).header("set-cookie").contains("; Path=/;"));
  }

  @Test
  @DisplayName("session-cookie-secure: Secure on https requests whatever it says (ingress-nginx's e2e), on plain HTTP only with true")
  void sessionCookieSecure() throws Exception {
    Backend web = rig.backend("web");
    TestCertificates.Issued cert = TestCertificates.issueNow(HOST, "forced.example.com", "off.example.com");
    Secret tls = TestCertificates.tlsSecret("default", "shop-tls", cert);
    rig.serve(List.of(
        nginx("default").annotation(P + "affinity", "cookie").annotation(P + "ssl-redirect", "false")
            .host(HOST).prefix("/", "web", web.port()).tls("shop-tls", HOST),
        nginx("forced").annotation(P + "affinity", "cookie").annotation(P + "session-cookie-secure", "true")
            .annotation(P + "ssl-redirect", "false")
            .host("forced.example.com").prefix("/", "web", web.port()).tls("shop-tls", "forced.example.com"),
        nginx("off").annotation(P + "affinity", "cookie").annotation(P + "session-cookie-secure", "false")
            .annotation(P + "ssl-redirect", "false")
            .host("off.example.com").prefix("/", "web", web.port()).tls("shop-tls", "off.example.com"),
        tls), service("web", web.port()));
    for (String host : List.of(HOST, "forced.example.com", "off.example.com")) {
      Response https = rig.httpsRequest(host, "GET", "/", Map.of());
      assertEquals("web /", https.body(), host);
      assertTrue(https.header("set-cookie").contains("; Secure"), host + ": " + https.header("set-cookie"));
    }
    assertFalse(rig.get(HOST, "/", Map.of()).header("set-cookie").contains("Secure"));
    assertFalse(rig.get("off.example.com", "/", Map.of()).header("set-cookie").contains("Secure"));
    assertTrue(rig.get("forced.example.com", "/", Map.of()).header("set-cookie").contains("; Secure"));
  }

  @ParameterizedTest(name = "upstream-hash-by {0}: the same key always reaches the same endpoint")
  @CsvSource({"$cookie_session", "$arg_user", "$http_x_user", "$remote_addr"})
  void hashBy(String variable) throws Exception {
    Backend one = rig.backend("one", InetAddress.getByName("127.0.0.1"), 0, 200);
    rig.backend("two", InetAddress.getByName("127.0.0.2"), one.port(), 200);
    rig.backend("three", InetAddress.getByName("127.0.0.3"), one.port(), 200);
    rig.serve(nginx("shop").annotation(P + "upstream-hash-by", variable)
            .host(HOST).prefix("/", "web", one.port()),
        service("web", one.port(), "127.0.0.1", "127.0.0.2", "127.0.0.3"));
    List<String> reached = new ArrayList<>();
    for (String key : List.of("ann", "ben", "cat", "dan", "eve", "fay")) {
      String path = variable.equals("$arg_user") ? "/?user=" + key : "/";
      Map<String, String> headers = switch (variable) {
        case "$cookie_session" -> Map.of("cookie", "theme=dark; session=" + key);
        case "$http_x_user" -> Map.of("x-user", key);
        default -> Map.of();
      };
      String first = rig.get(HOST, path, headers).backend();
      for (int i = 0; i < 3; i++) {
        assertEquals(first, rig.get(HOST, path, headers).backend(), variable + " " + key);
      }
      reached.add(first);
    }
    if (!variable.equals("$remote_addr")) {
      assertTrue(reached.stream().distinct().count() > 1, "keys spread over endpoints: " + reached);
    }
  }

  // ---------------------------------------------------------------- CORS

  @Test
  @DisplayName("enable-cors with every cors-*: an allowed origin's preflight and simple request, another origin gets no CORS header")
  void corsEverySetting() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "enable-cors", "true")
            .annotation(P + "cors-allow-origin", "https://app.example.org, https://*.partner.example")
            .annotation(P + "cors-allow-methods", "GET, PUT")
            .annotation(P + "cors-allow-headers", "X-Custom, Content-Type")
            .annotation(P + "cors-expose-headers", "X-Total")
            .annotation(P + "cors-max-age", "600")
            .host(HOST).prefix("/", "web", web.port()),
        nginx("nocreds").annotation(P + "enable-cors", "true")
            .annotation(P + "cors-allow-origin", "https://app.example.org")
            .annotation(P + "cors-allow-credentials", "false")
            .host("nocreds.example.com").prefix("/", "web", web.port()),
        service("web", web.port()));

    Response preflight = rig.request(HOST, "OPTIONS", "/api", Map.of("origin", "https://app.example.org",
        "access-control-request-method", "PUT", "access-control-request-headers", "x-custom"));
    assertEquals(204, preflight.status());
    assertEquals("https://app.example.org", preflight.header("access-control-allow-origin"));
    assertEquals("true", preflight.header("access-control-allow-credentials"));
    assertTrue(preflight.header("access-control-allow-methods").contains("PUT"), preflight.headers().toString());
    assertTrue(preflight.header("access-control-allow-headers").toLowerCase(Locale.ROOT).contains("x-custom"));
    assertEquals("600", preflight.header("access-control-max-age"));

    Response wildcard = rig.request(HOST, "OPTIONS", "/api", Map.of("origin", "https://eu.partner.example",
        "access-control-request-method", "GET"));
    assertEquals("https://eu.partner.example", wildcard.header("access-control-allow-origin"));

    Response simple = rig.get(HOST, "/api", Map.of("origin", "https://app.example.org"));
    assertEquals("web /api", simple.body());
    assertEquals("https://app.example.org", simple.header("access-control-allow-origin"));
    assertEquals("true", simple.header("access-control-allow-credentials"));
    // Header names are case-insensitive; the filter writes them in lower case.
    assertEquals("x-total", simple.header("access-control-expose-headers").toLowerCase(Locale.ROOT));

    Response stranger = rig.get(HOST, "/api", Map.of("origin", "https://evil.example"));
    assertEquals("web /api", stranger.body());
    assertNull(stranger.header("access-control-allow-origin"));
    Response strangerPreflight = rig.request(HOST, "OPTIONS", "/api", Map.of("origin", "https://evil.example",
        "access-control-request-method", "PUT"));
    assertNull(strangerPreflight.header("access-control-allow-origin"));

    Response noCredentials = rig.get("nocreds.example.com", "/", Map.of("origin", "https://app.example.org"));
    assertEquals("https://app.example.org", noCredentials.header("access-control-allow-origin"));
    assertNull(noCredentials.header("access-control-allow-credentials"));
  }

  /** One Ingress per cors-allow-origin list, named by its host's first label. */
  private static final Map<String, String> ORIGIN_LISTS = Map.of(
      "ports", "http://api.cors.test:8080, http://*.apps.test:8080",
      "commas", "https://one.cors.test:8443,   ,https://two.cors.test:8443,",
      "schemes", "app://localhost, desktop://localhost:3000, https://web.cors.test",
      "blank", "     ");

  @ParameterizedTest(name = "cors-allow-origin \"{0}\": Origin {1} -> {2}")
  @CsvSource({
      "ports, http://api.cors.test:8080, http://api.cors.test:8080",
      "ports, http://api.cors.test, ''",
      "ports, https://api.cors.test:8080, ''",
      "ports, http://web.apps.test:8080, http://web.apps.test:8080",
      "ports, http://web-1.apps.test:8080, http://web-1.apps.test:8080",
      // The port is part of the origin. ingress-nginx's wildcard stands for one label, ours for
      // one or more (the table says so).
      "ports, http://a.web.apps.test:8080, http://a.web.apps.test:8080",
      "ports, http://apps.test:8080, ''",
      "ports, http://web.apps.test, ''",
      "commas, https://one.cors.test:8443, https://one.cors.test:8443",
      "commas, https://two.cors.test:8443, https://two.cors.test:8443",
      "commas, https://three.cors.test:8443, ''",
      // ingress-nginx allows origins of any scheme; ours are http and https only: the others
      // are left out with an Event (the table says so).
      "schemes, app://localhost, ''",
      "schemes, desktop://localhost:3000, ''",
      "schemes, https://web.cors.test, https://web.cors.test",
      // An empty list is the default: every origin.
      "blank, http://anything.test, *",
  })
  void corsOrigins(String list, String origin, String allowed) throws Exception {
    Backend web = rig.backend("web");
    List<Object> objects = new ArrayList<>();
    ORIGIN_LISTS.forEach((name, origins) -> objects.add(nginx(name).annotation(P + "enable-cors", "true")
        .annotation(P + "cors-allow-origin", origins).host(name + ".example.com").prefix("/", "web", web.port())));
    objects.add(service("web", web.port()));
    rig.serve(objects.toArray());
    Response simple = rig.get(list + ".example.com", "/", Map.of("origin", origin));
    assertEquals("web /", simple.body());
    assertEquals(allowed.isEmpty() ? null : allowed, simple.header("access-control-allow-origin"));
    Response preflight = rig.request(list + ".example.com", "OPTIONS", "/", Map.of("origin", origin,
        "access-control-request-method", "GET"));
    assertEquals(allowed.isEmpty() ? null : allowed, preflight.header("access-control-allow-origin"));
  }

  @Test
  @DisplayName("enable-cors defaults: a simple request from any origin gets Access-Control-Allow-Origin *")
  void corsDefaultsOnSimpleRequests() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "enable-cors", "true").host(HOST).prefix("/", "web", web.port()),
        service("web", web.port()));
    Response simple = rig.get(HOST, "/x", Map.of("origin", "https://anywhere.example"));
    assertEquals("web /x", simple.body());
    assertEquals("*", simple.header("access-control-allow-origin"));
    Response preflight = rig.request(HOST, "OPTIONS", "/x", Map.of("origin", "https://anywhere.example",
        "access-control-request-method", "DELETE", "access-control-request-headers", "authorization"));
    assertEquals(204, preflight.status());
    assertTrue(preflight.header("access-control-allow-methods").contains("DELETE"));
    assertTrue(preflight.header("access-control-allow-headers").toLowerCase(Locale.ROOT).contains("authorization"));
  }

  // ---------------------------------------------------------------- rate limits

  @Test
  @DisplayName("limit-rps: a client over the rate is refused with 503 (ingress-nginx's default limit-req-status-code) and Retry-After, other hosts unaffected")
  void limitRps() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("limited").annotation(P + "limit-rps", "1").annotation(P + "limit-burst-multiplier", "1")
            .host(HOST).prefix("/", "web", web.port()),
        nginx("free").host("free.example.com").prefix("/", "web", web.port()),
        service("web", web.port()));
    AtomicReference<Response> refused = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(20)).until(() -> {
      Response r = rig.get("/");
      refused.set(r);
      return r.status() != 200;
    });
    assertEquals(503, refused.get().status());
    assertNotNull(refused.get().header("retry-after"));
    for (int i = 0; i < 5; i++) {
      assertEquals("web /", rig.get("free.example.com", "/", Map.of()).body());
    }
  }

  @Test
  @DisplayName("limit-rpm: nginx's limit_req burst=rate x multiplier nodelay admits burst + 1 requests at once, the next is refused")
  void limitRpmBurst() throws Exception {
    Backend web = rig.backend("web");
    // One a minute, so no token comes back while the test runs, however slow the machine.
    rig.serve(nginx("limited").annotation(P + "limit-rpm", "1").annotation(P + "limit-burst-multiplier", "3")
        .host(HOST).prefix("/", "web", web.port()), service("web", web.port()));
    for (int i = 0; i < 4; i++) {
      assertEquals("web /", rig.get("/").body(), "request " + (i + 1));
    }
    assertEquals(503, rig.get("/").status());
    // Another client address has a bucket of its own.
    assertEquals("web /", rig.requestFrom(InetAddress.getByName("127.0.0.2"), HOST, "GET", "/", Map.of()).body());
  }

  // ---------------------------------------------------------------- app-root

  @ParameterizedTest(name = "app-root /app: {0} {1} answers {2} {3}")
  @CsvSource({
      // ingress-nginx: if ($uri = /) { return 302 $scheme://$http_host/app; }
      "shop.example.com, /, 302, http://shop.example.com/app",
      "shop.example.com:8080, /, 302, http://shop.example.com:8080/app",
      // nginx's return drops the query string; ours keeps it (the table says so).
      "shop.example.com, /?x=1, 302, http://shop.example.com/app?x=1",
      "shop.example.com, /app, 200, web /app",
      "shop.example.com, /other, 200, web /other",
  })
  void appRoot(String host, String path, int status, String expected) throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "app-root", "/app").host(HOST).prefix("/", "web", web.port()),
        service("web", web.port()));
    Response r = rig.get(host, path, Map.of());
    assertEquals(status, r.status());
    assertEquals(expected, status == 302 ? r.header("location") : r.body());
  }

  // ---------------------------------------------------------------- headers and aliases

  @Test
  @DisplayName("x-forwarded-prefix with rewrite-target reaches the backend, an empty one sends no header; upstream-vhost is the Host; server-alias serves the alias, no other host")
  void prefixVhostAndAlias() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("prefixed").annotation(P + "x-forwarded-prefix", "/test/value").annotation(P + "rewrite-target", "/foo")
            .host("prefixed.example.com").prefix("/", "web", web.port()),
        nginx("empty").annotation(P + "x-forwarded-prefix", "").annotation(P + "rewrite-target", "/foo")
            .host("empty.example.com").prefix("/", "web", web.port()),
        nginx("vhost").annotation(P + "upstream-vhost", "upstreamvhost.bar.com")
            .host("vhost.example.com").prefix("/", "web", web.port()),
        nginx("alias").annotation(P + "server-alias", "bar.example.com")
            .host("foo.example.com").prefix("/", "web", web.port()),
        service("web", web.port()));
    Response prefixed = rig.get("prefixed.example.com", "/x", Map.of());
    assertEquals("web /foo", prefixed.body());
    assertEquals("/test/value", prefixed.header("x-echo-x-forwarded-prefix"));
    Response empty = rig.get("empty.example.com", "/x", Map.of());
    assertEquals("web /foo", empty.body());
    assertNull(empty.header("x-echo-x-forwarded-prefix"));
    assertEquals("upstreamvhost.bar.com", rig.get("vhost.example.com", "/", Map.of()).header("x-echo-host"));
    assertEquals("foo.example.com", rig.get("foo.example.com", "/", Map.of()).header("x-echo-host"));
    assertEquals("bar.example.com", rig.get("bar.example.com", "/", Map.of()).header("x-echo-host"));
    assertEquals(404, rig.get("other.example.com", "/", Map.of()).status());
  }

  // ---------------------------------------------------------------- source ranges

  @ParameterizedTest(name = "{0} {1}: 127.0.0.1 answers {2}, 127.0.0.2 answers {3}")
  @CsvSource({
      "whitelist-source-range, '127.0.0.1/32', 200, 403",
      "whitelist-source-range, '10.0.0.0/8, 127.0.0.2', 403, 200",
      "whitelist-source-range, '127.0.0.0/8', 200, 200",
      "allowlist-source-range, '127.0.0.1', 200, 403",
      "denylist-source-range, '127.0.0.2/32', 200, 403",
  })
  void sourceRanges(String annotation, String ranges, int fromOne, int fromTwo) throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + annotation, ranges).host(HOST).prefix("/", "web", web.port()),
        service("web", web.port()));
    assertEquals(fromOne, rig.requestFrom(InetAddress.getByName("127.0.0.1"), HOST, "GET", "/", Map.of()).status());
    assertEquals(fromTwo, rig.requestFrom(InetAddress.getByName("127.0.0.2"), HOST, "GET", "/", Map.of()).status());
  }

  // ---------------------------------------------------------------- basic auth

  @Test
  @DisplayName("auth-type basic: bcrypt htpasswd (auth-file) and auth-map Secrets as ingress-nginx's e2e tests build them; 401 with the realm, 200 with the password")
  void basicAuth() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(List.of(
        nginx("file").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "users-file")
            .annotation(P + "auth-realm", "test auth").host(HOST).prefix("/", "web", web.port()),
        nginx("map").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "users-map")
            .annotation(P + "auth-secret-type", "auth-map").annotation(P + "auth-realm", "test auth")
            .host("map.example.com").prefix("/", "web", web.port()),
        nginx("cors").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "users-file")
            .annotation(P + "enable-cors", "true").host("cors.example.com").prefix("/", "web", web.port()),
        nginx("broken").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "broken")
            .host("broken.example.com").prefix("/", "web", web.port()),
        secret("users-file", Map.of("auth", "foo.bar.com:" + bcrypt("bar") + "\n")),
        secret("users-map", Map.of("foo.bar.com", bcrypt("bar"))),
        secret("broken", Map.of("auth", "foo:"))), service("web", web.port()));
    for (String host : List.of(HOST, "map.example.com")) {
      Response none = rig.get(host, "/", Map.of());
      assertEquals(401, none.status(), host);
      // nginx: Basic realm="test auth"; ours adds RFC 7617's charset="UTF-8" after it.
      assertTrue(none.header("www-authenticate").startsWith("Basic realm=\"test auth\""), host);
      assertEquals(401, rig.get(host, "/", Map.of("authorization", basic("foo.bar.com", "wrong"))).status(), host);
      assertEquals(401, rig.get(host, "/", Map.of("authorization", basic("user", "pass"))).status(), host);
      assertEquals("web /", rig.get(host, "/", Map.of("authorization", basic("foo.bar.com", "bar"))).body(), host);
    }
    // ingress-nginx's e2e: auth and CORS together answer the 401 with the CORS headers.
    Response corsDenied = rig.get("cors.example.com", "/", Map.of("origin", "https://app.example.org"));
    assertEquals(401, corsDenied.status());
    assertEquals("*", corsDenied.header("access-control-allow-origin"));
    // An htpasswd file without one usable line lets nobody in: ingress-nginx answers 401 (nginx
    // finds no hash to check), we fail closed with 503 and an Event, as for a missing Secret.
    assertEquals(503, rig.get("broken.example.com", "/", Map.of("authorization", basic("foo", ""))).status());
    assertEquals(2, web.requests(), "only the requests with the password reached the backend");
  }

  @Test
  @DisplayName("auth-secret naming a Secret that does not exist: nobody gets through (ingress-nginx: 503)")
  void basicAuthMissingSecret() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "something")
        .annotation(P + "auth-realm", "test auth").host(HOST).prefix("/", "web", web.port()),
        service("web", web.port()));
    Response r = rig.get(HOST, "/", Map.of("authorization", basic("foo", "bar")));
    assertEquals(503, r.status());
    assertEquals(0, web.requests());
  }

  // ---------------------------------------------------------------- modsecurity

  @Test
  @DisplayName("enable-modsecurity: ingress-nginx's SecRuleEngine DetectionOnly lets an attack through; portcullis.io/waf block blocks it")
  void modsecurity() throws Exception {
    Backend web = rig.backend("web");
    String attack = "/q?x=%3Cscript%3Ealert(1)%3C/script%3E";
    rig.serve(List.of(
        nginx("detect").annotation(P + "enable-modsecurity", "true").annotation(P + "enable-owasp-core-rules", "true")
            .host(HOST).prefix("/", "web", web.port()),
        nginx("block").annotation(P + "enable-modsecurity", "true").annotation(P + "enable-owasp-core-rules", "true")
            .annotation("portcullis.io/waf", "block").host("block.example.com").prefix("/", "web", web.port())),
        service("web", web.port()));
    assertEquals("web " + attack, rig.get(attack).body());
    assertEquals(403, rig.get("block.example.com", attack, Map.of()).status());
    assertEquals("web /q?x=hello", rig.get("block.example.com", "/q?x=hello", Map.of()).body());
  }

  private static Secret secret(String name, Map<String, String> data) {
    return new SecretBuilder().withNewMetadata().withNamespace("default").withName(name).endMetadata()
        .withType("Opaque").withStringData(data).build();
  }

  /** An htpasswd -B hash (cost 5: the check's speed is not what is tested). */
  private static String bcrypt(String password) {
    byte[] salt = new byte[16];
    new java.security.SecureRandom().nextBytes(salt);
    return OpenBSDBCrypt.generate("2y", password.toCharArray(), salt, 5);
  }
}
