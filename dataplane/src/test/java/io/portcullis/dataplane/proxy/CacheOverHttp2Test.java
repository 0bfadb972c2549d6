package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.dataplane.filters.cache.CacheEngine;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.CachePolicy;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The cache answers HTTP/2 clients through the local responder, and coalesces their streams. */
class CacheOverHttp2Test {
  private final AtomicInteger originRequests = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private HttpServer origin;
  private ProxyServer proxy;
  private int port;

  @BeforeEach
  void start() throws Exception {
    origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    origin.setExecutor(Executors.newCachedThreadPool());
    origin.createContext("/", exchange -> {
      originRequests.incrementAndGet();
      try (exchange) {
        release.await(20, TimeUnit.SECONDS);
        byte[] body = "cached over h2".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("cache-control", "max-age=60");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    origin.start();
    LiveConfig config = new LiveConfig(StandardFilters.chains(() -> 443, CacheEngine.standalone()));
    VirtualHost vhost = new VirtualHost("localhost", List.of(
        Route.of("cached", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("o"))
            .withFilters(List.of(CachePolicy.defaults()))), null, List.of());
    config.apply(Snapshot.of(List.of(vhost),
        List.of(new Cluster("o", List.of(new Endpoint("127.0.0.1", origin.getAddress().getPort())))),
        null));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    origin.stop(0);
  }

  @Test
  void concurrentStreamsMakeOneUpstreamRequestAndLaterStreamsHit() throws Exception {
    try (H2TestClient client = H2TestClient.h2c(port)) {
      List<CompletableFuture<H2TestClient.Response>> streams = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        streams.add(client.get("localhost", "/page"));
      }
      org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
          .until(() -> originRequests.get() == 1);
      release.countDown();
      for (var s : streams) {
        H2TestClient.Response r = s.get(20, TimeUnit.SECONDS);
        assertEquals(200, r.status());
        assertEquals("cached over h2", r.text());
      }
      H2TestClient.Response hit = client.get("localhost", "/page").get(10, TimeUnit.SECONDS);
      assertEquals("cached over h2", hit.text());
      assertTrue(hit.headers().get("cache-status").toString().contains("hit"));
      assertEquals(1, originRequests.get());
    }
  }
}
