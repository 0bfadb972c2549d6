package io.portcullis.dataplane.filters.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.AdminServer;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The purge endpoint on a real admin listener, with a real HTTP client. */
class CachePurgeEndpointTest {
  private final CacheHarness h = new CacheHarness();
  private final ProxyMetrics proxyMetrics = new ProxyMetrics();
  private final CacheEngine registered =
      new CacheEngine(1 << 20, new CacheMetrics(proxyMetrics.registry()));
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private AdminServer admin;
  private int port;

  @BeforeEach
  void start() {
    admin = new AdminServer("127.0.0.1", 0, new LiveConfig(), proxyMetrics);
    admin.endpoint(CachePurgeEndpoint.PATH, new CachePurgeEndpoint(h.engine));
    port = admin.start();
    h.origin = r -> h.dated(200, "x", "cache-control", "max-age=600");
  }

  @AfterEach
  void stop() {
    admin.close();
    h.close();
  }

  private HttpResponse<String> call(String method, String query) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/cache/purge" + query))
        .method(method, HttpRequest.BodyPublishers.noBody())
        .timeout(Duration.ofSeconds(5))
        .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void purgeByKeyDropsThatUrlOnly() throws Exception {
    h.get("/a");
    h.get("/b");
    var r = call("POST", "?key=" + enc("http://shop.example.com/a"));
    assertEquals(200, r.statusCode());
    assertEquals("{\"purged\":1}\n", r.body());
    assertTrue(h.get("/a").fromOrigin());
    assertFalse(h.get("/b").fromOrigin());
  }

  @Test
  void purgeByPrefixDropsEveryUrlBelowIt() throws Exception {
    h.get("/img/1.png");
    h.get("/img/2.png?v=2");
    h.get("/index.html");
    var r = call("POST", "?prefix=" + enc("GET http://shop.example.com/img/"));
    assertEquals("{\"purged\":2}\n", r.body());
    assertTrue(h.get("/img/1.png").fromOrigin());
    assertFalse(h.get("/index.html").fromOrigin());
  }

  @Test
  void onlyPostWithExactlyOneOfKeyOrPrefix() throws Exception {
    var get = call("GET", "?key=x");
    assertEquals(405, get.statusCode());
    assertEquals("POST", get.headers().firstValue("allow").orElse(""));
    assertEquals(400, call("POST", "").statusCode());
    assertEquals(400, call("POST", "?key=a&prefix=b").statusCode());
    assertEquals(400, call("POST", "?key=").statusCode());
  }

  @Test
  void cacheMetricsAreServedOnTheAdminPort() throws Exception {
    var r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    for (String name : List.of("portcullis_cache_coalesced_total", "portcullis_cache_evictions_total",
        "portcullis_cache_served_bytes_total", "portcullis_cache_stored_bytes",
        "portcullis_cache_entries")) {
      assertTrue(r.body().contains(name), name + " in\n" + r.body());
    }
  }
}
