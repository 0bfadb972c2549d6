package io.portcullis.dataplane.filters.cache;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import io.portcullis.snapshot.filter.CachePolicy;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cache on the filter chain of a real proxy: a real origin (the JDK's HTTP server) whose
 * answers each test scripts, real sockets and the JDK HTTP client.
 */
class CacheEndToEndTest {
  private static final String HOST = "shop.example.com";

  /** What the origin saw: method, path and the If-None-Match it was sent. */
  record Seen(String method, String path, String ifNoneMatch) {}

  /** Scripted answers by path. */
  interface Answer {
    void answer(HttpExchange exchange) throws Exception;
  }

  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final CacheMetrics metrics = CacheMetrics.unregistered();
  private final CacheEngine engine = new CacheEngine(16L << 20, metrics);
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
  private HttpServer origin;
  private ProxyServer proxy;
  private int port;

  @BeforeEach
  void start() throws Exception {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    origin.setExecutor(Executors.newCachedThreadPool());
    origin.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      seen.add(new Seen(exchange.getRequestMethod(), path,
          exchange.getRequestHeaders().getFirst("If-None-Match")));
      try (exchange) {
        exchange.getRequestBody().readAllBytes();
        answers.getOrDefault(path, e -> send(e, 404, "nothing here", "cache-control", "no-store"))
            .answer(exchange);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    origin.start();
    LiveConfig config = new LiveConfig(StandardFilters.chains(() -> 443, engine));
    VirtualHost vhost = new VirtualHost(HOST, List.of(
        Route.of("cached", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("o"))
            .withFilters(List.of(CachePolicy.defaults()))), null, List.of());
    config.apply(Snapshot.of(List.of(vhost),
        List.of(new Cluster("o", List.of(new Endpoint("127.0.0.1", origin.getAddress().getPort())))),
        null));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(2).build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    origin.stop(0);
  }

  private static void send(HttpExchange e, int status, String body, String... headers)
      throws Exception {
    for (int i = 0; i + 1 < headers.length; i += 2) {
      e.getResponseHeaders().add(headers[i], headers[i + 1]);
    }
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    e.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
    if (bytes.length > 0) {
      e.getResponseBody().write(bytes);
    }
  }

  private HttpRequest request(String method, String path, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Host", HOST).timeout(Duration.ofSeconds(20))
        .method(method, HttpRequest.BodyPublishers.noBody());
    for (int i = 0; i + 1 < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return b.build();
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    return client.send(request("GET", path, headers), HttpResponse.BodyHandlers.ofString());
  }

  private static String cacheStatus(HttpResponse<?> r) {
    return r.headers().firstValue("cache-status").orElse("");
  }

  @Test
  @DisplayName("a fresh response is stored on the way through and answered by the proxy next time")
  void missThenHit() throws Exception {
    answers.put("/page", e -> send(e, 200, "hello", "cache-control", "max-age=60"));
    var first = get("/page");
    assertEquals("hello", first.body());
    assertTrue(cacheStatus(first).contains("fwd=uri-miss"), cacheStatus(first));
    assertEquals("5", first.headers().firstValue("content-length").orElse(""),
        "the tee keeps the length: no re-framing as chunked");
    var second = get("/page");
    assertEquals(200, second.statusCode());
    assertEquals("hello", second.body());
    assertTrue(cacheStatus(second).startsWith("Portcullis; hit"), cacheStatus(second));
    assertTrue(second.headers().firstValue("age").isPresent());
    assertEquals(1, seen.size());
    var head = client.send(request("HEAD", "/page"), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
    assertEquals(1, seen.size(), "HEAD is answered from the GET entry");
  }

  @Test
  @DisplayName("N concurrent misses for one URL make one upstream request; the rest wait and hit")
  void coalescing() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    answers.put("/slow", e -> {
      release.await(20, TimeUnit.SECONDS);
      send(e, 200, "made once", "cache-control", "max-age=60");
    });
    int n = 8;
    List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      responses.add(client.sendAsync(request("GET", "/slow"), HttpResponse.BodyHandlers.ofString()));
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> seen.size() == 1 && metrics.coalescedCount() == n - 1);
    release.countDown();
    for (var f : responses) {
      var r = f.get(20, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode());
      assertEquals("made once", r.body());
    }
    assertEquals(1, seen.size());
  }

  @Test
  @DisplayName("the body reaches the client while the origin is still sending it, and is stored once whole")
  void streamingTee() throws Exception {
    CountDownLatch firstPartRead = new CountDownLatch(1);
    answers.put("/stream", e -> {
      e.getResponseHeaders().add("cache-control", "max-age=60");
      e.sendResponseHeaders(200, 0); // chunked
      OutputStream out = e.getResponseBody();
      out.write("first-part;".getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertTrue(firstPartRead.await(20, TimeUnit.SECONDS), "the client never saw the first part");
      out.write("second-part".getBytes(StandardCharsets.UTF_8));
    });
    HttpResponse<InputStream> r =
        client.send(request("GET", "/stream"), HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = r.body()) {
      byte[] first = in.readNBytes("first-part;".length());
      assertEquals("first-part;", new String(first, StandardCharsets.UTF_8));
      firstPartRead.countDown();
      assertEquals("second-part", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }
    await().atMost(Duration.ofSeconds(5)).until(() -> engine.store().entries() == 1);
    var hit = get("/stream");
    assertEquals("first-part;second-part", hit.body());
    assertTrue(cacheStatus(hit).contains("hit"));
    assertEquals(1, seen.size());
  }

  @Test
  @DisplayName("a stale response is revalidated with its ETag; the 304 is answered with the stored body")
  void revalidation() throws Exception {
    answers.put("/doc", e -> {
      if ("\"v1\"".equals(e.getRequestHeaders().getFirst("If-None-Match"))) {
        send(e, 304, "", "etag", "\"v1\"", "cache-control", "max-age=0", "x-refreshed", "yes");
      } else {
        send(e, 200, "document", "etag", "\"v1\"", "cache-control", "max-age=0");
      }
    });
    assertEquals("document", get("/doc").body());
    var second = get("/doc");
    assertEquals(200, second.statusCode());
    assertEquals("document", second.body());
    assertEquals("yes", second.headers().firstValue("x-refreshed").orElse(""));
    assertTrue(cacheStatus(second).contains("fwd-status=304"), cacheStatus(second));
    assertEquals("\"v1\"", seen.get(1).ifNoneMatch());
  }

  @Test
  @DisplayName("within stale-while-revalidate the stale copy is answered at once and refreshed in the background")
  void staleWhileRevalidateRefreshesInTheBackground() throws Exception {
    answers.put("/news", e -> {
      if ("\"v1\"".equals(e.getRequestHeaders().getFirst("If-None-Match"))) {
        send(e, 304, "", "etag", "\"v1\"", "cache-control", "max-age=600");
      } else {
        // Already 5 s old with a 1 s lifetime: stored stale, within its 600 s window.
        send(e, 200, "headlines", "etag", "\"v1\"", "age", "5",
            "cache-control", "max-age=1, stale-while-revalidate=600");
      }
    });
    assertEquals("headlines", get("/news").body());
    var stale = get("/news");
    assertEquals("headlines", stale.body());
    assertTrue(cacheStatus(stale).contains("stale-while-revalidate"), cacheStatus(stale));
    // The refresh is the cache's own conditional request, after the client had its answer.
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
    assertEquals("\"v1\"", seen.get(1).ifNoneMatch());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> metrics.refreshes("not_modified") == 1.0);
    var fresh = get("/news");
    assertEquals("headlines", fresh.body());
    assertTrue(cacheStatus(fresh).contains("hit"), cacheStatus(fresh));
    assertFalse(cacheStatus(fresh).contains("stale"), cacheStatus(fresh));
    assertEquals(2, seen.size(), "the fresh hit did not go upstream");
  }

  @Test
  @DisplayName("a background refresh that finds the resource changed drops the stale copy; the next request fetches it")
  void staleWhileRevalidateDropsAChangedResponse() throws Exception {
    java.util.concurrent.atomic.AtomicInteger version = new java.util.concurrent.atomic.AtomicInteger(1);
    answers.put("/price", e -> {
      String etag = "\"v" + version.get() + "\"";
      if (etag.equals(e.getRequestHeaders().getFirst("If-None-Match"))) {
        send(e, 304, "", "etag", etag);
      } else {
        send(e, 200, "price " + version.get(), "etag", etag, "age", "5",
            "cache-control", "max-age=1, stale-while-revalidate=600");
      }
    });
    assertEquals("price 1", get("/price").body());
    version.set(2);
    assertEquals("price 1", get("/price").body(), "stale within the window");
    await().atMost(Duration.ofSeconds(10)).until(() -> metrics.refreshes("changed") == 1.0);
    assertEquals("price 2", get("/price").body());
  }

  @Test
  @DisplayName("a successful POST invalidates the stored response of its URL")
  void invalidation() throws Exception {
    answers.put("/item", e -> {
      if (e.getRequestMethod().equals("POST")) {
        send(e, 204, "");
      } else {
        send(e, 200, "item", "cache-control", "max-age=60");
      }
    });
    get("/item");
    get("/item");
    assertEquals(1, seen.size());
    client.send(request("POST", "/item"), HttpResponse.BodyHandlers.discarding());
    get("/item");
    assertEquals(3, seen.size());
    assertFalse(seen.get(2).method().equals("POST"));
  }

  @Test
  @DisplayName("a bodiless 204 is stored too")
  void noContent() throws Exception {
    answers.put("/empty", e -> send(e, 204, "", "cache-control", "max-age=60"));
    assertEquals(204, get("/empty").statusCode());
    var hit = get("/empty");
    assertEquals(204, hit.statusCode());
    assertTrue(cacheStatus(hit).contains("hit"));
    assertEquals(1, seen.size());
  }

  @Test
  @DisplayName("responses over the object limit are relayed whole and not stored")
  void overTheLimit() throws Exception {
    String big = "x".repeat((int) CachePolicy.DEFAULT_MAX_OBJECT_SIZE + 1);
    answers.put("/big", e -> send(e, 200, big, "cache-control", "max-age=60"));
    assertEquals(big.length(), get("/big").body().length());
    assertEquals(big.length(), get("/big").body().length());
    assertEquals(2, seen.size());
  }
}
