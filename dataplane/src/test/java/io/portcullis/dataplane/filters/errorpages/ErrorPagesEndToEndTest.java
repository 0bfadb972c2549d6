package io.portcullis.dataplane.filters.errorpages;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.ErrorPages;
import io.portcullis.snapshot.filter.FilterConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Error pages through a real proxy, a real application backend and a real error backend, with
 * ingress-nginx's custom-http-errors behaviour as the expected result.
 */
class ErrorPagesEndToEndTest {
  private static final String HOST = "errors.example.com";
  /** What the error backend was asked: method, path, headers. */
  private record Asked(String method, String uri, Headers headers) {}

  private final List<Asked> asked = new CopyOnWriteArrayList<>();
  private final LiveConfig config = new LiveConfig(StandardFilters.chains(() -> 8443));
  private HttpServer app;
  private HttpServer errors;
  private ProxyServer proxy;
  private int port;
  private int deadPort;
  private final HttpClient client = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeEach
  void start() throws IOException {
    app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // .../status/N answers N with a body of its own; .../big/N a 1 MiB body.
    app.createContext("/", ex -> {
      ex.getRequestBody().readAllBytes();
      String path = ex.getRequestURI().getPath();
      if (path.contains("/status/") || path.contains("/big/")) {
        int code = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
        byte[] body = path.contains("/big/") ? new byte[1024 * 1024]
            : ("app says " + code).getBytes(StandardCharsets.UTF_8);
        send(ex, code, "text/plain", body);
      } else {
        send(ex, 200, "text/plain", "app ok".getBytes(StandardCharsets.UTF_8));
      }
    });
    app.setExecutor(Executors.newFixedThreadPool(2));
    app.start();
    errors = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    // Like ingress-nginx's custom-error-pages example: the status from X-Code, the format from
    // X-Format.
    errors.createContext("/", ex -> {
      asked.add(new Asked(ex.getRequestMethod(), ex.getRequestURI().toString(),
          ex.getRequestHeaders()));
      String code = ex.getRequestHeaders().getFirst("X-Code");
      boolean json = "application/json".equals(ex.getRequestHeaders().getFirst("X-Format"));
      String body = json ? "{\"code\":" + code + "}" : "<h1>error " + code + "</h1>";
      send(ex, code == null ? 200 : Integer.parseInt(code),
          json ? "application/json" : "text/html", body.getBytes(StandardCharsets.UTF_8));
    });
    errors.setExecutor(Executors.newFixedThreadPool(2));
    errors.start();
    try (ServerSocket s = new ServerSocket(0)) {
      deadPort = s.getLocalPort();
    }
    Map<String, String> extra = Map.of("X-Namespace", "shop", "X-Ingress-Name", "web",
        "X-Service-Name", "app", "X-Service-Port", "80");
    ErrorPages backendStatus = new ErrorPages(List.of(404, 500, 503), "errors",
        ErrorPages.Status.ERROR_BACKEND, extra);
    ErrorPages originalStatus = new ErrorPages(List.of(404), "errors-200",
        ErrorPages.Status.ORIGINAL, Map.of());
    ErrorPages dead = new ErrorPages(List.of(404), "dead", ErrorPages.Status.ERROR_BACKEND, null);
    VirtualHost vhost = new VirtualHost(HOST, List.of(
        route("keep", "/keep", "app", originalStatus),
        route("dead", "/dead", "app", dead),
        route("empty", "/empty", "empty", backendStatus),
        route("app", "/", "app", backendStatus)), null);
    int errorsPort = errors.getAddress().getPort();
    config.apply(Snapshot.of(List.of(vhost), List.of(
        new Cluster("app", List.of(new Endpoint("127.0.0.1", app.getAddress().getPort()))),
        new Cluster("errors", List.of(new Endpoint("127.0.0.1", errorsPort))),
        new Cluster("errors-200", List.of(new Endpoint("127.0.0.1", errorsPort))),
        new Cluster("dead", List.of(new Endpoint("127.0.0.1", deadPort))),
        new Cluster("empty", List.of())), null));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  private static Route route(String name, String prefix, String cluster, FilterConfig filter) {
    return Route.of(name, RouteMatch.path(new PathMatch.Prefix(prefix)), RouteAction.Forward.to(cluster))
        .withFilters(List.of(filter));
  }

  private static void send(HttpExchange ex, int code, String type, byte[] body) throws IOException {
    ex.getResponseHeaders().set("Content-Type", type);
    ex.getResponseHeaders().set("X-From", "server");
    ex.sendResponseHeaders(code, body.length == 0 ? -1 : body.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(body);
    }
  }

  @AfterEach
  void stop() {
    proxy.close();
    app.stop(0);
    errors.stop(0);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Host", HOST).timeout(Duration.ofSeconds(10));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("a listed status from the backend is answered by the error backend, asked as ingress-nginx asks it")
  void listedStatusIsReplaced() throws Exception {
    HttpResponse<String> r = get("/status/404?q=1", "Accept", "text/html", "Cookie", "s=1");
    assertEquals(404, r.statusCode());
    assertEquals("<h1>error 404</h1>", r.body());
    assertEquals("text/html", r.headers().firstValue("content-type").orElseThrow());
    assertEquals(1, asked.size());
    Asked q = asked.get(0);
    assertEquals("GET", q.method());
    assertEquals("/", q.uri());
    Headers h = q.headers();
    assertEquals("404", h.getFirst("X-Code"));
    assertEquals("text/html", h.getFirst("X-Format"));
    assertEquals("/status/404?q=1", h.getFirst("X-Original-URI"));
    assertEquals("shop", h.getFirst("X-Namespace"));
    assertEquals("web", h.getFirst("X-Ingress-Name"));
    assertEquals("app", h.getFirst("X-Service-Name"));
    assertEquals("80", h.getFirst("X-Service-Port"));
    assertEquals(HOST, h.getFirst("Host"));
    assertEquals("s=1", h.getFirst("Cookie"), "nginx passes the client's headers on");
    String id = h.getFirst("X-Request-ID");
    assertTrue(id != null && !id.isEmpty());
    assertEquals(id, r.headers().firstValue("x-request-id").orElseThrow(),
        "the same request id as the client's answer");
  }

  @Test
  @DisplayName("X-Format carries Accept, so the error backend can answer JSON")
  void formatFromAccept() throws Exception {
    HttpResponse<String> r = get("/status/503", "Accept", "application/json");
    assertEquals(503, r.statusCode());
    assertEquals("{\"code\":503}", r.body());
  }

  @Test
  @DisplayName("unlisted statuses and successes pass untouched, and the error backend is not asked")
  void unlistedPass() throws Exception {
    assertEquals("app ok", get("/fine").body());
    HttpResponse<String> r = get("/status/502");
    assertEquals(502, r.statusCode());
    assertEquals("app says 502", r.body());
    assertTrue(asked.isEmpty());
  }

  @Test
  @DisplayName("a POST's error page is fetched with GET, and the connection serves the next request")
  void postThenKeepAlive() throws Exception {
    HttpResponse<String> r = client.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/status/500"))
        .header("Host", HOST).POST(HttpRequest.BodyPublishers.ofString("form=1")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(500, r.statusCode());
    assertEquals("<h1>error 500</h1>", r.body());
    assertEquals("GET", asked.get(0).method());
    String length = asked.get(0).headers().getFirst("Content-Length");
    assertTrue(length == null || length.equals("0"), "the form is not sent: " + length);
    for (int i = 0; i < 3; i++) {
      assertEquals("<h1>error 404</h1>", get("/big/404").body(), "a 1 MiB error body is discarded");
      assertEquals("app ok", get("/fine").body());
    }
  }

  @Test
  @DisplayName("ORIGINAL keeps the backend's status whatever the error backend answers")
  void originalStatusKept() throws Exception {
    HttpResponse<String> r = get("/keep/status/404");
    assertEquals(404, r.statusCode());
    assertEquals("<h1>error 404</h1>", r.body());
  }

  @Test
  @DisplayName("the proxy's own 503 (no endpoints) gets the error page too, as nginx's error_page does")
  void proxyErrorsToo() throws Exception {
    HttpResponse<String> r = get("/empty");
    assertEquals(503, r.statusCode());
    assertEquals("<h1>error 503</h1>", r.body());
  }

  @Test
  @DisplayName("an unreachable error backend answers 502, as nginx's failing error location does")
  void deadErrorBackend() throws Exception {
    HttpResponse<String> r = get("/dead/status/404");
    assertEquals(502, r.statusCode());
    assertEquals("app ok", get("/fine").body());
  }
}
