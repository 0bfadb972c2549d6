package io.portcullis.dataplane.filters.ratelimit;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.clientaddress.ClientAddressSettings;
import io.portcullis.dataplane.clientaddress.TrustedProxies;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.filter.FilterRegistry;
import io.portcullis.dataplane.filter.FilterStage;
import io.portcullis.dataplane.filters.StandardFilters;
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
import io.portcullis.snapshot.filter.FilterConfig;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Rate limits through a real proxy, a real backend and the JDK HTTP client. */
class RateLimitEndToEndTest {
  private static final String HOST = "api.example.com";
  /** Slow enough that no token comes back while a test runs. */
  private static final RateLimitPolicy SLOW = new RateLimitPolicy(1, 3600, 3, null);
  /** One token a second: the refill test waits about a second. */
  private static final RateLimitPolicy FAST = new RateLimitPolicy(1, 1, 2, null);
  private static final RateLimitPolicy BY_KEY = new RateLimitPolicy(1, 3600, 1, "header:x-api-key");

  private final TestBackend backend = new TestBackend();
  private final BucketStore store = new BucketStore(BucketStore.DEFAULT_MAX_BUCKETS);
  private final LiveConfig config = new LiveConfig(StandardFilters.chains(
      FilterRegistry.builder()
          .add(RateLimitPolicy.class, FilterStage.RATE_LIMIT, new RateLimits(store)::create)
          .build(),
      () -> 443));
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ProxyServer proxy;
  private int port;
  private int backendPort;

  @BeforeEach
  void start() {
    backendPort = backend.start();
    apply(false);
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1)
            // Loopback is a trusted proxy: X-Forwarded-For names the client (see that test).
            .clientAddresses(ClientAddressSettings.DEFAULT
                .withTrustedProxies(TrustedProxies.parse("127.0.0.0/8")))
            .build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  /** Host-wide SLOW; /fast and /keyed have their own; {@code extra} adds an unlimited route. */
  private void apply(boolean extra) {
    List<Route> routes = new ArrayList<>(List.of(
        route("fast", "/fast", List.of(FAST)),
        route("keyed", "/keyed", List.of(BY_KEY)),
        route("api", "/api", List.of())));
    if (extra) {
      routes.add(route("other", "/other", List.of()));
    }
    config.apply(Snapshot.of(List.of(new VirtualHost(HOST, routes, null, List.of(SLOW))),
        List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backendPort)))), null));
  }

  private static Route route(String name, String prefix, List<FilterConfig> filters) {
    return Route.of(name, RouteMatch.path(new PathMatch.Prefix(prefix)), RouteAction.Forward.to("c"))
        .withFilters(filters);
  }

  private HttpResponse<String> get(String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Host", HOST);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  @DisplayName("the burst reaches the backend, the next request gets 429 with Retry-After and the RateLimit fields")
  void burstThen429() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/api/items").statusCode());
    }
    HttpResponse<String> limited = get("/api/items");
    assertEquals(429, limited.statusCode());
    assertEquals("Too Many Requests\n", limited.body());
    long retryAfter = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
    assertTrue(retryAfter > 3000 && retryAfter <= 3600, "retry-after " + retryAfter);
    assertEquals("\"client\";q=1;w=3600", limited.headers().firstValue("ratelimit-policy").orElseThrow());
    assertEquals("\"client\";r=0;t=" + retryAfter, limited.headers().firstValue("ratelimit").orElseThrow());
    assertEquals(3, backend.requests.size());
  }

  @Test
  @DisplayName("after the refill time a limited client gets through again")
  void refill() throws Exception {
    assertEquals(200, get("/fast").statusCode());
    assertEquals(200, get("/fast").statusCode());
    assertEquals(429, get("/fast").statusCode());
    await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
        .until(() -> get("/fast").statusCode() == 200);
  }

  @Test
  @DisplayName("a snapshot swap that changes another route keeps the buckets: a limited client stays limited")
  void bucketsSurviveSnapshotSwap() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/api").statusCode());
    }
    assertEquals(429, get("/api").statusCode());
    String before = config.current().snapshot().version();
    apply(true);
    assertTrue(!before.equals(config.current().snapshot().version()), "a new snapshot is live");
    assertEquals(200, get("/other").statusCode(), "the new route has its own budget");
    assertEquals(429, get("/api").statusCode());
  }

  @Test
  @DisplayName("behind a trusted proxy the resolved client address is the key: each forwarded client has its own bucket")
  void forwardedClients() throws Exception {
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/api", "x-forwarded-for", "203.0.113.1").statusCode());
    }
    assertEquals(429, get("/api", "x-forwarded-for", "203.0.113.1").statusCode());
    assertEquals(200, get("/api", "x-forwarded-for", "203.0.113.2").statusCode());
    assertEquals(200, get("/api").statusCode(), "the proxy itself is one more client");
  }

  @Test
  @DisplayName("header keys: one bucket per value; requests without the header share the client's")
  void headerKeys() throws Exception {
    assertEquals(200, get("/keyed", "x-api-key", "alpha").statusCode());
    assertEquals(429, get("/keyed", "x-api-key", "alpha").statusCode());
    assertEquals(200, get("/keyed", "x-api-key", "beta").statusCode());
    assertEquals(200, get("/keyed").statusCode());
    assertEquals(429, get("/keyed").statusCode());
  }
}
