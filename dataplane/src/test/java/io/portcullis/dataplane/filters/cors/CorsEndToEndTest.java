package io.portcullis.dataplane.filters.cors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.CorsPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** CORS on the filter chain through a real proxy, a real backend and the JDK HTTP client. */
class CorsEndToEndTest {
  private static final String HOST = "app.example.com";
  private final TestBackend backend = new TestBackend();
  private final LiveConfig config = new LiveConfig();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ProxyServer proxy;
  private int port;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    CorsPolicy hostCors = new CorsPolicy(
        List.of("https://app.example.com", "https://*.example.org"), List.of("PUT", "DELETE"),
        List.of("x-token", "content-type"), List.of("x-request-id"), true, 600);
    CorsPolicy open = new CorsPolicy(List.of("*"), List.of(), List.of(), List.of(), false, 0);
    VirtualHost vhost = new VirtualHost(HOST, List.of(
        Route.of("public", RouteMatch.path(new PathMatch.Prefix("/public")),
            RouteAction.Forward.to("c")).withFilters(List.of(open)),
        Route.of("api", RouteMatch.path(new PathMatch.Prefix("/api")),
            RouteAction.Forward.to("c"))), null, List.of(hostCors));
    config.apply(Snapshot.of(List.of(vhost),
        List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backendPort)))), null));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  private HttpResponse<String> send(String method, String path, String... headers)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Host", HOST).method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Optional<String> header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name);
  }

  @Test
  @DisplayName("an allowed preflight is answered 204 by the proxy and never reaches the backend")
  void allowedPreflight() throws Exception {
    var r = send("OPTIONS", "/api/items", "Origin", "https://app.example.com",
        "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "X-Token");
    assertEquals(204, r.statusCode());
    assertEquals(Optional.of("https://app.example.com"), header(r, "access-control-allow-origin"));
    assertEquals(Optional.of("true"), header(r, "access-control-allow-credentials"));
    assertEquals(Optional.of("DELETE, PUT"), header(r, "access-control-allow-methods"));
    assertEquals(Optional.of("X-Token"), header(r, "access-control-allow-headers"));
    assertEquals(Optional.of("600"), header(r, "access-control-max-age"));
    assertTrue(r.headers().allValues("vary").contains("Origin"));
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("a preflight from a wildcard-subdomain origin is allowed, the bare domain is not")
  void wildcardOrigin() throws Exception {
    var sub = send("OPTIONS", "/api", "Origin", "https://a.b.example.org",
        "Access-Control-Request-Method", "DELETE");
    assertEquals(204, sub.statusCode());
    var bare = send("OPTIONS", "/api", "Origin", "https://example.org",
        "Access-Control-Request-Method", "DELETE");
    assertEquals(403, bare.statusCode());
  }

  @Test
  @DisplayName("a disallowed preflight (origin, method or header) gets 403 and no CORS headers")
  void disallowedPreflight() throws Exception {
    var origin = send("OPTIONS", "/api", "Origin", "https://evil.test",
        "Access-Control-Request-Method", "PUT");
    var method = send("OPTIONS", "/api", "Origin", "https://app.example.com",
        "Access-Control-Request-Method", "PATCH");
    var headers = send("OPTIONS", "/api", "Origin", "https://app.example.com",
        "Access-Control-Request-Method", "PUT", "Access-Control-Request-Headers", "x-other");
    for (var r : List.of(origin, method, headers)) {
      assertEquals(403, r.statusCode());
      assertFalse(header(r, "access-control-allow-origin").isPresent());
    }
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("an actual request from an allowed origin gets the allow and expose headers; Vary: Origin")
  void actualRequest() throws Exception {
    var r = send("GET", "/api/items", "Origin", "https://app.example.com");
    assertEquals(200, r.statusCode());
    assertEquals(Optional.of("https://app.example.com"), header(r, "access-control-allow-origin"));
    assertEquals(Optional.of("x-request-id"), header(r, "access-control-expose-headers"));
    assertTrue(r.headers().allValues("vary").contains("Origin"));
    assertEquals(1, backend.requests.size());
  }

  @Test
  @DisplayName("an actual request from another origin is served without CORS headers (the browser blocks it)")
  void otherOrigin() throws Exception {
    var r = send("GET", "/api/items", "Origin", "https://evil.test");
    assertEquals(200, r.statusCode());
    assertFalse(header(r, "access-control-allow-origin").isPresent());
  }

  @Test
  @DisplayName("a route's cors replaces its host's: any origin, no credentials, no Vary")
  void routeOverridesHost() throws Exception {
    var r = send("OPTIONS", "/public/x", "Origin", "https://evil.test",
        "Access-Control-Request-Method", "GET");
    assertEquals(204, r.statusCode());
    assertEquals(Optional.of("*"), header(r, "access-control-allow-origin"));
    assertFalse(header(r, "access-control-allow-credentials").isPresent());
  }

  @Test
  @DisplayName("requests no route matches still pass the host's filters: a 404 carries CORS headers")
  void hostFiltersOnNotFound() throws Exception {
    var r = send("GET", "/nothing", "Origin", "https://app.example.com");
    assertEquals(404, r.statusCode());
    assertEquals(Optional.of("https://app.example.com"), header(r, "access-control-allow-origin"));
  }
}
