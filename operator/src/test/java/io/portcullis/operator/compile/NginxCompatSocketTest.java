package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.api.model.Secret;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.operator.compile.CompilerSettings.IngressNginx;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * In-process end to end, per family: ingress-nginx-annotated Ingresses through the real compiler,
 * the snapshot applied to a real dataplane proxy, real HTTP/1.1 requests over sockets to it, and
 * real backends that echo what reached them. The expected results are ingress-nginx's documented
 * behaviour.
 */
class NginxCompatSocketTest {
  static final String P = "nginx.ingress.kubernetes.io/";
  static final String HOST = "shop.example.com";
  static final CompilerSettings COMPAT = CompilerSettings.defaults().withIngressNginx(IngressNginx.SERVED);
  /** openssl passwd -6 -salt nginxcompat s3cret */
  static final String SHA512_S3CRET =
      "$6$nginxcompat$8M1OQQqPwGMgmaR18btfLWjfPYrE2.BxGClxUmUyFMtz6r5Y4v5b8ZtR43iT4L83N2gbIo/Q/PRCXB5GkOHjD.";
  /** openssl passwd -5 -salt mapsalt hunter2 */
  static final String SHA256_HUNTER2 = "$5$mapsalt$MawTQ80LTwQU0rrjaIWotZ6bxf9f4DfqJgpwHeN3jt1";

  private final List<HttpServer> backends = new ArrayList<>();
  private final List<java.util.concurrent.ExecutorService> handlers = new ArrayList<>();
  private LiveConfig config;
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() throws Exception {
    config = new LiveConfig();
    proxy = new ProxyServer(ProxySettings.builder().bindAddress("127.0.0.1").port(0).build(),
        config, new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backends.forEach(b -> b.stop(0));
    handlers.forEach(java.util.concurrent.ExecutorService::shutdownNow);
  }

  // ---------------------------------------------------------------- paths and headers

  @Test
  @DisplayName("rewrite-target /$2 with path /api(/|$)(.*) sends /api/users as /users")
  void rewriteTargetWithCaptureGroups() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "rewrite-target", "/$2").annotation(P + "use-regex", "true")
        .host(HOST).implementationSpecific("/api(/|$)(.*)", "web", web), backend("web", web));
    assertEquals("web /users", get("/api/users").body);
    assertEquals("web /users/7?x=1", get("/api/users/7?x=1").body);
    assertEquals("web /", get("/api").body);
    assertEquals(404, get("/apix").status);
  }

  @Test
  @DisplayName("rewrite-target / without groups replaces the whole path")
  void rewriteTargetWhole() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "rewrite-target", "/")
        .host(HOST).prefix("/old", "web", web), backend("web", web));
    assertEquals("web /", get("/old/deep/page").body);
  }

  @Test
  @DisplayName("app-root, x-forwarded-prefix, upstream-vhost and server-alias")
  void appRootHeadersAndAlias() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "app-root", "/app").annotation(P + "x-forwarded-prefix", "/shop")
        .annotation(P + "upstream-vhost", "internal.svc").annotation(P + "server-alias", "www.example.com")
        .host(HOST).prefix("/", "web", web), backend("web", web));
    Response root = get("/");
    assertEquals(302, root.status);
    assertTrue(root.header("location").endsWith("/app"), root.header("location"));
    Response page = get("/app");
    assertEquals("web /app", page.body);
    assertEquals("internal.svc", page.header("x-echo-host"));
    assertEquals("/shop", page.header("x-echo-forwarded-prefix"));
    assertEquals("web /app", request("www.example.com", "GET", "/app", Map.of()).body);
  }

  // ---------------------------------------------------------------- redirects

  @Test
  @DisplayName("ssl-redirect: 308 to https for a host with TLS by default; ssl-redirect false serves HTTP")
  void sslRedirect() throws Exception {
    int web = echo("web");
    TestCertificates.Issued cert = TestCertificates.issueNow(HOST, "plain.example.com");
    Secret tls = TestCertificates.tlsSecret("default", "shop-tls", cert);
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web).tls("shop-tls", HOST),
        nginx("plain").annotation(P + "ssl-redirect", "false").host("plain.example.com")
            .prefix("/", "web", web).tls("shop-tls", "plain.example.com"),
        tls), backend("web", web));
    Response redirected = get("/x?y=1");
    assertEquals(308, redirected.status);
    assertEquals("https://" + HOST + "/x?y=1", redirected.header("location"));
    assertEquals("web /x", request("plain.example.com", "GET", "/x", Map.of()).body);
  }

  @Test
  @DisplayName("permanent-redirect (+code) and temporal-redirect answer every path")
  void permanentAndTemporalRedirects() throws Exception {
    int web = echo("web");
    serve(List.of(
        nginx("moved").annotation(P + "permanent-redirect", "https://new.example.com/landing")
            .host(HOST).prefix("/", "web", web),
        nginx("moved308").annotation(P + "permanent-redirect", "https://new.example.com/")
            .annotation(P + "permanent-redirect-code", "308").host("b.example.com").prefix("/", "web", web),
        nginx("away").annotation(P + "temporal-redirect", "http://maintenance.example.com/sorry")
            .host("c.example.com").prefix("/", "web", web)), backend("web", web));
    Response moved = get("/anything");
    assertEquals(301, moved.status);
    assertEquals("https://new.example.com/landing", moved.header("location"));
    assertEquals(308, request("b.example.com", "GET", "/", Map.of()).status);
    Response away = request("c.example.com", "GET", "/x", Map.of());
    assertEquals(302, away.status);
    assertEquals("http://maintenance.example.com/sorry", away.header("location"));
  }

  // ---------------------------------------------------------------- canary and affinity

  @Test
  @DisplayName("canary-by-header x-canary: always takes the canary, never never does; weight 0 keeps the rest on main")
  void canaryByHeader() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-canary")
            .host(HOST).prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    assertEquals("next /a", request(HOST, "GET", "/a", Map.of("x-canary", "always")).body);
    assertEquals("web /a", request(HOST, "GET", "/a", Map.of("x-canary", "never")).body);
    for (int i = 0; i < 5; i++) {
      assertEquals("web /a", get("/a").body);
    }
  }

  @Test
  @DisplayName("canary-weight 100 sends every request to the canary; a header value matches exactly")
  void canaryByWeightAndValue() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-weight", "100")
            .host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-region")
            .annotation(P + "canary-by-header-value", "eu").host("api.example.com").prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    for (int i = 0; i < 5; i++) {
      assertEquals("next /", get("/").body);
    }
    assertEquals("next /", request("api.example.com", "GET", "/", Map.of("x-region", "eu")).body);
    assertEquals("web /", request("api.example.com", "GET", "/", Map.of("x-region", "us")).body);
  }

  @Test
  @DisplayName("affinity cookie: the proxy issues the session cookie")
  void affinityCookie() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "affinity", "cookie").annotation(P + "session-cookie-name", "route")
        .annotation(P + "session-cookie-max-age", "600").host(HOST).prefix("/", "web", web),
        backend("web", web));
    String cookie = get("/").header("set-cookie");
    assertNotNull(cookie);
    assertTrue(cookie.startsWith("route="), cookie);
    assertTrue(cookie.toLowerCase(Locale.ROOT).contains("max-age=600"), cookie);
  }

  @Test
  @DisplayName("upstream-hash-by $http_x_user: each user sticks to one endpoint")
  void hashByHeader() throws Exception {
    int port = echo("one");
    echoOn("two", InetAddress.getByName("127.0.0.2"), port);
    serve(nginx("shop").annotation(P + "upstream-hash-by", "$http_x_user").host(HOST).prefix("/", "web", port),
        service("default", "web").port(null, port).build(),
        slice("default", "web").port(null, port).ready("127.0.0.1", "127.0.0.2").build());
    for (String user : List.of("ann", "ben", "cat", "dan", "eve")) {
      String first = request(HOST, "GET", "/", Map.of("x-user", user)).body;
      for (int i = 0; i < 4; i++) {
        assertEquals(first, request(HOST, "GET", "/", Map.of("x-user", user)).body, user);
      }
    }
  }

  @Test
  @DisplayName("proxy-read-timeout: a backend silent for longer gets the client a 504")
  void readTimeout() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "proxy-read-timeout", "1").host(HOST).prefix("/", "web", web),
        backend("web", web));
    assertEquals("web /fast", get("/fast").body);
    assertEquals(504, get("/slow").status);
  }

  // ---------------------------------------------------------------- CORS, auth, WAF, refusals

  @Test
  @DisplayName("enable-cors answers a preflight with ingress-nginx's defaults")
  void cors() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "enable-cors", "true").host(HOST).prefix("/", "web", web),
        backend("web", web));
    Response preflight = request(HOST, "OPTIONS", "/api", Map.of("origin", "https://app.example.org",
        "access-control-request-method", "PATCH"));
    assertTrue(preflight.status == 200 || preflight.status == 204, "status " + preflight.status);
    assertEquals("*", preflight.header("access-control-allow-origin"));
    assertTrue(preflight.header("access-control-allow-methods").contains("PATCH"));
    assertEquals("1728000", preflight.header("access-control-max-age"));
  }

  @Test
  @DisplayName("auth-type basic with an auth-file and an auth-map Secret, and auth-realm")
  void basicAuth() throws Exception {
    int web = echo("web");
    Secret file = secret("default", "users-file", "Opaque");
    file.setStringData(Map.of("auth", "alice:" + SHA512_S3CRET + "\n"));
    Secret map = secret("default", "users-map", "Opaque");
    map.setStringData(Map.of("bob", SHA256_HUNTER2));
    serve(List.of(
        nginx("shop").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "users-file")
            .annotation(P + "auth-realm", "Staff only").host(HOST).prefix("/", "web", web),
        nginx("map").annotation(P + "auth-type", "basic").annotation(P + "auth-secret", "default/users-map")
            .annotation(P + "auth-secret-type", "auth-map").host("map.example.com").prefix("/", "web", web),
        file, map), backend("web", web));
    Response denied = get("/");
    assertEquals(401, denied.status);
    assertTrue(denied.header("www-authenticate").contains("Staff only"), denied.header("www-authenticate"));
    assertEquals("web /", request(HOST, "GET", "/", Map.of("authorization", basic("alice", "s3cret"))).body);
    assertEquals(401, request(HOST, "GET", "/", Map.of("authorization", basic("alice", "wrong"))).status);
    assertEquals(401, request("map.example.com", "GET", "/", Map.of()).status);
    assertEquals("web /", request("map.example.com", "GET", "/",
        Map.of("authorization", basic("bob", "hunter2"))).body);
  }

  @Test
  @DisplayName("auth-url lets a request through on 2xx and copies auth-response-headers")
  void externalAuth() throws Exception {
    int web = echo("web");
    HttpServer auth = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
    auth.createContext("/check", exchange -> {
      boolean ok = "Bearer letmein".equals(exchange.getRequestHeaders().getFirst("authorization"));
      if (ok) {
        exchange.getResponseHeaders().set("X-User", "carol");
      }
      exchange.sendResponseHeaders(ok ? 200 : 401, -1);
      exchange.close();
    });
    auth.start();
    backends.add(auth);
    serve(nginx("shop").annotation(P + "auth-url", "http://127.0.0.1:" + auth.getAddress().getPort() + "/check")
        .annotation(P + "auth-response-headers", "X-User").host(HOST).prefix("/", "web", web),
        backend("web", web));
    assertEquals(401, get("/").status);
    Response ok = request(HOST, "GET", "/", Map.of("authorization", "Bearer letmein"));
    assertEquals("web /", ok.body);
    assertEquals("carol", ok.header("x-echo-user"));
  }

  @Test
  @DisplayName("whitelist-source-range and denylist-source-range: 403 for clients outside or inside")
  void sourceRanges() throws Exception {
    int web = echo("web");
    serve(List.of(
        nginx("allowed").annotation(P + "whitelist-source-range", "10.0.0.0/8, 127.0.0.1/32")
            .host(HOST).prefix("/", "web", web),
        nginx("elsewhere").annotation(P + "whitelist-source-range", "10.0.0.0/8")
            .host("b.example.com").prefix("/", "web", web),
        nginx("denied").annotation(P + "denylist-source-range", "127.0.0.0/8")
            .host("c.example.com").prefix("/", "web", web)), backend("web", web));
    assertEquals("web /", get("/").body);
    assertEquals(403, request("b.example.com", "GET", "/", Map.of()).status);
    assertEquals(403, request("c.example.com", "GET", "/", Map.of()).status);
  }

  @Test
  @DisplayName("limit-rpm with limit-burst-multiplier: the client's burst is served, the next request gets 503 (ingress-nginx's default status)")
  void limitRpm() throws Exception {
    int web = echo("web");
    // One a minute, so no token comes back while the test runs, however slow the machine.
    serve(nginx("limited").annotation(P + "limit-rpm", "1").annotation(P + "limit-burst-multiplier", "2")
        .host(HOST).prefix("/", "web", web), backend("web", web));
    // nginx's limit_req burst=2 nodelay admits burst + 1 at once.
    for (int i = 0; i < 3; i++) {
      assertEquals("web /", get("/").body);
    }
    assertEquals(503, get("/").status);
  }

  @Test
  @DisplayName("snippets and unknown annotations are refused; the Ingress is served; modsecurity only detects")
  void refusalsStillServe() throws Exception {
    int web = echo("web");
    Compiled c = serve(nginx("shop").annotation(P + "configuration-snippet", "return 403;")
        .annotation(P + "enable-modsecurity", "true").annotation(P + "enable-owasp-core-rules", "true")
        .host(HOST).prefix("/", "web", web), backend("web", web));
    assertEquals("web /q?x=%3Cscript%3Ealert(1)%3C/script%3E", get("/q?x=%3Cscript%3Ealert(1)%3C/script%3E").body);
    assertTrue(c.ingressStatus("default", "shop").events().stream()
        .anyMatch(e -> e.reason().equals(Reasons.NGINX_ANNOTATION_REFUSED) && e.message().contains("configuration-snippet")));
  }

  // ---------------------------------------------------------------- plumbing

  private static IngressFixture nginx(String name) {
    return ingress("default", name).className("nginx");
  }

  /** A Service on {@code port} whose one endpoint is the loopback backend on that port. */
  private static List<Object> backend(String name, int port) {
    return List.of(service("default", name).port(null, port).build(),
        slice("default", name).port(null, port).ready("127.0.0.1").build());
  }

  private Compiled serve(Object... objects) {
    Compiled c = compile(COMPAT, objects);
    config.apply(c.snapshot());
    return c;
  }

  /**
   * A backend answering "name path?query", echoing the Host, X-Forwarded-Prefix and X-User it
   * got; {@code /slow} answers after 3 s.
   */
  private int echo(String name) throws IOException {
    return echoOn(name, InetAddress.getLoopbackAddress(), 0);
  }

  private int echoOn(String name, InetAddress address, int port) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(address, port), 64);
    java.util.concurrent.ExecutorService executor = java.util.concurrent.Executors.newCachedThreadPool();
    handlers.add(executor);
    server.setExecutor(executor);
    server.createContext("/", exchange -> {
      if (exchange.getRequestURI().getPath().equals("/slow")) {
        try {
          Thread.sleep(3000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try (InputStream in = exchange.getRequestBody()) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      String query = exchange.getRequestURI().getRawQuery();
      byte[] body = (name + " " + exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query))
          .getBytes(StandardCharsets.UTF_8);
      var h = exchange.getRequestHeaders();
      exchange.getResponseHeaders().set("x-echo-host", String.valueOf(h.getFirst("host")));
      exchange.getResponseHeaders().set("x-echo-forwarded-prefix", String.valueOf(h.getFirst("x-forwarded-prefix")));
      exchange.getResponseHeaders().set("x-echo-user", String.valueOf(h.getFirst("x-user")));
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    server.start();
    backends.add(server);
    return server.getAddress().getPort();
  }

  private Response get(String pathAndQuery) throws IOException {
    return request(HOST, "GET", pathAndQuery, Map.of());
  }

  /** One HTTP/1.1 request on its own connection; the Host header is ours to choose. */
  private Response request(String host, String method, String pathAndQuery, Map<String, String> headers)
      throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort)) {
      socket.setSoTimeout(10_000);
      StringBuilder head = new StringBuilder(method + " " + pathAndQuery + " HTTP/1.1\r\nHost: " + host + "\r\n");
      headers.forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
      head.append("Connection: close\r\n\r\n");
      socket.getOutputStream().write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(all);
      return Response.parse(all.toString(StandardCharsets.ISO_8859_1));
    }
  }

  private static String basic(String user, String password) {
    return "Basic " + java.util.Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  record Response(int status, Map<String, String> headers, String body) {
    static Response parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      String[] lines = raw.substring(0, end).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
      }
      String body = raw.substring(end + 4);
      if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
        body = dechunk(body);
      }
      return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    String header(String name) {
      return headers.get(name);
    }

    private static String dechunk(String body) {
      StringBuilder out = new StringBuilder();
      int at = 0;
      while (true) {
        int eol = body.indexOf("\r\n", at);
        int size = Integer.parseInt(body.substring(at, eol).split(";")[0].trim(), 16);
        if (size == 0) {
          return out.toString();
        }
        out.append(body, eol + 2, eol + 2 + size);
        at = eol + 2 + size + 2;
      }
    }
  }
}
