package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.HeaderRewrite;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ProxyLifecycleTest {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private static String scrape(ProxyMetrics metrics) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, metrics.registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }

  private static ProxySettings settings() {
    return ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build();
  }

  @Test
  void everyAnsweredRequestIsCountedByRouteAndStatus() throws Exception {
    ProxyMetrics metrics = new ProxyMetrics();
    try (TestBackend backend = new TestBackend()) {
      int backendPort = backend.start();
      ProxyServer proxy =
          new ProxyServer(
              settings(),
              head ->
                  head.path().equals("/missing")
                      ? new RouteDecision.NotFound()
                      : ProxyServerTest.forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE),
              metrics);
      int port = proxy.start();
      try {
        for (String path : new String[] {"/a", "/b", "/missing"}) {
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
              HttpResponse.BodyHandlers.discarding());
        }
        String text = scrape(metrics);
        assertTrue(text.contains("portcullis_requests_total{code=\"200\",route=\"r1\"} 2"), text);
        assertTrue(text.contains("portcullis_requests_total{code=\"404\",route=\"none\"} 1"), text);
        assertTrue(text.contains("portcullis_upstream_latency_seconds_count{cluster=\"c1\"} 2"), text);
      } finally {
        proxy.close();
      }
    }
  }

  @Test
  void beforeTheFirstSnapshotEveryRequestGets503() throws Exception {
    ProxyServer proxy = new ProxyServer(settings(), new LiveConfig(), new ProxyMetrics());
    int port = proxy.start();
    try {
      HttpResponse<String> r =
          CLIENT.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/")).build(),
              HttpResponse.BodyHandlers.ofString());
      assertEquals(503, r.statusCode());
    } finally {
      proxy.close();
    }
  }

  @Test
  void closeStopsAcceptingAndClosesIdleConnections() throws Exception {
    ProxyMetrics metrics = new ProxyMetrics();
    ProxyServer proxy = new ProxyServer(settings(), head -> new RouteDecision.NotFound(), metrics);
    int port = proxy.start();
    try (Socket idle = new Socket("127.0.0.1", port)) {
      idle.setSoTimeout(5000);
      // Closing before the accept would reset the connection from the backlog: wait for it.
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(5))
          .until(() -> scrape(metrics).contains("portcullis_downstream_active_connections 1"));
      proxy.close();
      assertEquals(-1, idle.getInputStream().read(), "idle connection closed by the server");
    }
    try (Socket refused = new Socket()) {
      boolean connected;
      try {
        refused.connect(new java.net.InetSocketAddress("127.0.0.1", port), 1000);
        connected = true;
      } catch (java.io.IOException expected) {
        connected = false;
      }
      assertTrue(!connected, "listener still accepting after close");
    }
  }
}
