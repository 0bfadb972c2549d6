package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.slice;
import static io.portcullis.operator.compile.NginxSockets.HOST;
import static io.portcullis.operator.compile.NginxSockets.P;
import static io.portcullis.operator.compile.NginxSockets.nginx;
import static io.portcullis.operator.compile.NginxSockets.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.portcullis.operator.compile.CompilerSettings.IngressNginx;
import io.portcullis.operator.compile.Fixtures.Compiled;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * In-process end to end for ingress-nginx's error pages and the rest of external auth:
 * annotated Ingresses through the real compiler, the snapshot on a real dataplane proxy, real
 * HTTP requests, real backends. The expected results are ingress-nginx's documented behaviour.
 */
class NginxErrorPagesSocketTest {
  private final NginxSockets rig = new NginxSockets();
  /** The request headers the error backend saw, one entry per request. */
  private final List<Headers> errorRequests = new CopyOnWriteArrayList<>();
  /** Requests go through the JDK's HTTP client, a client library as users run, not the rig's sockets. */
  private final HttpClient client = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() {
    rig.close();
  }

  // ------------------------------------------------------------ custom-http-errors

  @Test
  @DisplayName("custom-http-errors with default-backend: a listed status is the error backend's"
      + " page and status, asked with ingress-nginx's headers")
  void customErrorsFromDefaultBackend() throws Exception {
    int web = app();
    int errors = errorBackend();
    Compiled c = rig.serve(nginx("shop").annotation(P + "custom-http-errors", "404, 503")
        .annotation(P + "default-backend", "error-pages")
        .host(HOST).prefix("/", "web", web), service("web", web), service("error-pages", errors));
    HttpResponse<String> r = get("/status/404?from=test", "Accept", "application/json");
    assertEquals(404, r.statusCode());
    assertEquals("{\"error\":404}", r.body());
    assertEquals("application/json", r.headers().firstValue("content-type").orElseThrow());
    Headers asked = errorRequests.get(0);
    assertEquals("404", asked.getFirst("X-Code"));
    assertEquals("application/json", asked.getFirst("X-Format"));
    assertEquals("/status/404?from=test", asked.getFirst("X-Original-URI"));
    assertEquals("default", asked.getFirst("X-Namespace"));
    assertEquals("shop", asked.getFirst("X-Ingress-Name"));
    assertEquals("web", asked.getFirst("X-Service-Name"));
    assertEquals(Integer.toString(web), asked.getFirst("X-Service-Port"));
    assertEquals(r.headers().firstValue("x-request-id").orElseThrow(), asked.getFirst("X-Request-ID"));
    assertEquals(HOST, asked.getFirst("Host"));

    HttpResponse<String> unlisted = get("/status/500");
    assertEquals(500, unlisted.statusCode());
    assertEquals("app 500", unlisted.body(), "a status not listed passes as the backend sent it");
    assertEquals("app /fine", get("/fine").body());
    assertEquals(1, errorRequests.size());
    assertTrue(c.ingressStatus("default", "shop").events().stream()
        .noneMatch(e -> e.warning()), () -> "no warning: " + c.ingressStatus("default", "shop").events());
  }

  @Test
  @DisplayName("custom-http-errors without default-backend uses the operator's --default-backend,"
      + " and catches the proxy's own 503 for a Service without endpoints")
  void customErrorsFromOperatorDefault() throws Exception {
    int errors = errorBackend();
    CompilerSettings settings = new CompilerSettings(CompilerSettings.DEFAULT_INGRESS_CLASS,
        ServiceRef.parse("ops/errors:" + errors)).withIngressNginx(IngressNginx.SERVED);
    rig.serve(settings, nginx("shop").annotation(P + "custom-http-errors", "503")
        .host(HOST).prefix("/", "down", 80),
        Fixtures.service("default", "down").port(null, 80).build(),
        Fixtures.service("ops", "errors").port(null, errors).build(),
        slice("ops", "errors").port(null, errors).ready("127.0.0.1").build());
    HttpResponse<String> r = get("/anything");
    assertEquals(503, r.statusCode());
    assertEquals("<p>error 503</p>", r.body());
    assertEquals("down", errorRequests.get(0).getFirst("X-Service-Name"));
  }

  @Test
  @DisplayName("unusable custom-http-errors, and default-backend alone, are reported; the Ingress is served")
  void badCodesAndLoneDefaultBackend() throws Exception {
    int web = app();
    Compiled c = rig.serve(List.of(
        nginx("shop").annotation(P + "custom-http-errors", "404,abc")
            .annotation(P + "default-backend", "web").host(HOST).prefix("/", "web", web),
        nginx("other").annotation(P + "default-backend", "web")
            .host("b.example.com").prefix("/", "web", web)), service("web", web));
    HttpResponse<String> r = get("/status/404");
    assertEquals(404, r.statusCode());
    assertEquals("app 404", r.body());
    assertTrue(c.ingressStatus("default", "shop").events().stream().anyMatch(e ->
        e.reason().equals(Reasons.INVALID_ANNOTATION) && e.message().contains("abc")));
    assertTrue(c.ingressStatus("default", "other").events().stream().anyMatch(e ->
        e.reason().equals(Reasons.NGINX_ANNOTATION_REFUSED) && e.message().contains("default-backend")));
  }

  // ------------------------------------------------------------ external auth

  @Test
  @DisplayName("auth-signin: a 401 from auth-url is a 302 to the sign-in URL with the original"
      + " URL in rd; a 403 passes as it is")
  void signInRedirect() throws Exception {
    int web = app();
    int auth = authService();
    rig.serve(List.of(
        nginx("shop").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-signin", "https://login.example.com/start")
            .host(HOST).prefix("/", "web", web),
        nginx("vars").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-signin", "https://$host/oauth2/start?rd=$escaped_request_uri")
            .host("b.example.com").prefix("/", "web", web),
        nginx("param").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-signin", "https://login.example.com/start?app=shop")
            .annotation(P + "auth-signin-redirect-param", "return_to")
            .host("c.example.com").prefix("/", "web", web)), service("web", web));
    HttpResponse<String> r = get("/private/page?a=1&b=x y".replace(" ", "%20"));
    assertEquals(302, r.statusCode());
    assertEquals("https://login.example.com/start?rd=http://" + HOST
        + "%2Fprivate%2Fpage%3Fa%3D1%26b%3Dx%2520y", r.headers().firstValue("location").orElseThrow());
    assertEquals("https://b.example.com/oauth2/start?rd=%2Fdocs%3Fv%3D2",
        request("GET", "b.example.com:80", "/docs?v=2").headers().firstValue("location").orElseThrow());
    assertEquals("https://login.example.com/start?app=shop&return_to=http://c.example.com%2F",
        request("GET", "c.example.com", "/").headers().firstValue("location").orElseThrow());
    assertEquals(403, get("/forbidden").statusCode(), "only a 401 is turned into a redirect");
    assertEquals("app /ok", get("/ok", "Authorization", "Bearer yes").body());
  }

  @Test
  @DisplayName("auth-method: the auth request goes out with GET by default, as nginx's"
      + " auth_request, and with the annotation's method when set")
  void authMethod() throws Exception {
    int web = app();
    int auth = authService();
    rig.serve(List.of(
        nginx("shop").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .host(HOST).prefix("/", "web", web),
        nginx("post").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-method", "POST").host("b.example.com").prefix("/", "web", web)),
        service("web", web));
    assertEquals(200, request("DELETE", HOST, "/ok", "Authorization", "Bearer yes").statusCode());
    assertEquals("GET", authMethods.get(0));
    assertEquals(200, request("GET", "b.example.com", "/ok", "Authorization", "Bearer yes").statusCode());
    assertEquals("POST", authMethods.get(1));
  }

  @Test
  @DisplayName("auth-cache-key: answers are reused per key for auth-cache-duration, by default"
      + " 200, 202 and 401 for 5m")
  void authCache() throws Exception {
    int web = app();
    int auth = authService();
    rig.serve(List.of(
        nginx("shop").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-cache-key", "$http_authorization")
            .host(HOST).prefix("/", "web", web),
        nginx("denials").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-cache-key", "$remote_addr$http_authorization")
            .annotation(P + "auth-cache-duration", "403 1m")
            .host("b.example.com").prefix("/", "web", web)), service("web", web));
    assertEquals("app /ok", get("/ok", "Authorization", "Bearer yes").body());
    assertEquals("app /other", get("/other", "Authorization", "Bearer yes").body());
    assertEquals(1, authMethods.size(), "one key, one question");
    assertEquals(403, get("/forbidden").statusCode());
    assertEquals(403, get("/forbidden").statusCode());
    assertEquals(3, authMethods.size(), "a 403 is not kept by default");
    assertEquals(401, get("/x").statusCode());
    assertEquals(401, get("/y").statusCode());
    assertEquals(4, authMethods.size(), "a 401 is kept by default");

    assertEquals(403, request("GET", "b.example.com", "/forbidden").statusCode());
    assertEquals(403, request("GET", "b.example.com", "/forbidden").statusCode());
    assertEquals(5, authMethods.size(), "403 listed: kept");
    request("GET", "b.example.com", "/ok", "Authorization", "Bearer yes");
    request("GET", "b.example.com", "/ok", "Authorization", "Bearer yes");
    assertEquals(7, authMethods.size(), "200 not listed: asked each time");
  }

  @Test
  @DisplayName("the auth answer's Set-Cookie reaches the client on the statuses nginx's add_header"
      + " serves and on the sign-in redirect; with auth-always-set-cookie on every status")
  void authCookies() throws Exception {
    int web = app();
    int auth = authService();
    rig.serve(List.of(
        nginx("shop").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-signin", "https://login.example.com/start")
            .host(HOST).prefix("/", "web", web),
        nginx("always").annotation(P + "auth-url", "http://127.0.0.1:" + auth + "/check")
            .annotation(P + "auth-always-set-cookie", "true")
            .host("b.example.com").prefix("/", "web", web)), service("web", web));
    String[] refreshing = {"Authorization", "Bearer yes", "Cookie", "refresh=1"};
    HttpResponse<String> ok = get("/ok", refreshing);
    assertEquals("app /ok", ok.body());
    assertEquals(List.of("session=fresh; Path=/; HttpOnly"), ok.headers().allValues("set-cookie"));
    HttpResponse<String> failed = get("/status/500", refreshing);
    assertEquals(500, failed.statusCode());
    assertEquals(List.of(), failed.headers().allValues("set-cookie"), "not a status add_header serves");
    assertEquals(List.of(), get("/ok", "Authorization", "Bearer yes").headers().allValues("set-cookie"));
    HttpResponse<String> signIn = get("/private", "Cookie", "refresh=1");
    assertEquals(302, signIn.statusCode());
    assertEquals(List.of("session=fresh; Path=/; HttpOnly"), signIn.headers().allValues("set-cookie"));
    assertEquals(List.of("session=fresh; Path=/; HttpOnly"),
        request("GET", "b.example.com", "/status/500", refreshing).headers().allValues("set-cookie"));
  }

  /** The methods the auth service was asked with. */
  private final List<String> authMethods = new CopyOnWriteArrayList<>();

  /**
   * "Bearer yes" is allowed; .../forbidden... gets 403; anything else 401. A Cookie with
   * refresh=1 gets a Set-Cookie in the answer (a session refresh, as oauth2-proxy's).
   */
  private int authService() throws IOException {
    return rig.server("/check", ex -> {
      authMethods.add(ex.getRequestMethod());
      ex.getRequestBody().readAllBytes();
      String uri = String.valueOf(ex.getRequestHeaders().getFirst("X-Original-URI"));
      boolean ok = "Bearer yes".equals(ex.getRequestHeaders().getFirst("Authorization"));
      if (String.valueOf(ex.getRequestHeaders().getFirst("Cookie")).contains("refresh=1")) {
        ex.getResponseHeaders().add("Set-Cookie", "session=fresh; Path=/; HttpOnly");
      }
      send(ex, ok ? 200 : uri.contains("forbidden") ? 403 : 401, "text/plain", ok ? "" : "no");
    });
  }

  // ------------------------------------------------------------ plumbing

  /** {@code /status/N} answers N with "app N"; anything else 200 with "app PATH". */
  private int app() throws IOException {
    return rig.server("/", ex -> {
      ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      int code = path.startsWith("/status/") ? Integer.parseInt(path.substring(8)) : 200;
      send(ex, code, "text/plain", "app " + (code == 200 ? path : code));
    });
  }

  /** Like ingress-nginx's custom-error-pages image: X-Code's status, X-Format's format. */
  private int errorBackend() throws IOException {
    return rig.server("/", ex -> {
      errorRequests.add(ex.getRequestHeaders());
      String code = ex.getRequestHeaders().getFirst("X-Code");
      boolean json = "application/json".equals(ex.getRequestHeaders().getFirst("X-Format"));
      send(ex, Integer.parseInt(code), json ? "application/json" : "text/html",
          json ? "{\"error\":" + code + "}" : "<p>error " + code + "</p>");
    });
  }

  private static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    return request("GET", HOST, pathAndQuery, headers);
  }

  private HttpResponse<String> request(String method, String host, String pathAndQuery,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + rig.proxyPort() + pathAndQuery))
        .header("Host", host).timeout(Duration.ofSeconds(10))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
