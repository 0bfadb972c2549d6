package io.portcullis.dataplane.admin;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.snapshot.Snapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AdminServerTest {
  private final LiveConfig config = new LiveConfig();
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private AdminServer server;
  private int port;

  @BeforeEach
  void start() {
    server = new AdminServer("127.0.0.1", 0, config, metrics);
    port = server.start();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(5))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void notReadyUntilTheFirstSnapshotIsAppliedThenReady() throws Exception {
    HttpResponse<String> before = send("GET", "/ready");
    assertEquals(503, before.statusCode());

    config.apply(Snapshot.empty());

    HttpResponse<String> after = send("GET", "/ready");
    assertEquals(200, after.statusCode());
    assertEquals("ready\n", after.body());
  }

  @Test
  void healthzIsOkEvenBeforeASnapshot() throws Exception {
    assertEquals(200, send("GET", "/healthz").statusCode());
  }

  @Test
  void countersWithKnownLabelsExistAtZeroAndJvmMetricsAreServed() throws Exception {
    String body = send("GET", "/metrics").body();
    assertTrue(body.contains("portcullis_tls_handshakes_total{protocol=\"none\",result=\"failed\"} 0.0"), body);
    assertTrue(body.contains("portcullis_http2_goaway_total{reason=\"flood\"} 0.0"), body);
    assertTrue(body.contains("portcullis_snapshots_rejected_total 0.0"), body);
    assertTrue(body.contains("jvm_threads_current"), "JVM metrics");
    assertTrue(body.contains("process_cpu_seconds_total"), "process metrics");
  }

  @Test
  void metricsAreServedInPrometheusTextFormat() throws Exception {
    metrics.requestCompleted("default/hello/0", 200);
    metrics.snapshotApplied("abc123");
    metrics.upstreamLatency("default/hello:80", 2_000_000);

    HttpResponse<String> response = send("GET", "/metrics");

    assertEquals(200, response.statusCode());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("text/plain; version=0.0.4"),
        response.headers().toString());
    String body = response.body();
    assertTrue(body.contains("# TYPE portcullis_requests_total counter"), body);
    assertTrue(
        body.contains("portcullis_requests_total{code=\"200\",route=\"default/hello/0\"} 1.0"), body);
    assertTrue(body.contains("portcullis_snapshot_info{version=\"abc123\"} 1"), body);
    assertTrue(
        body.contains(
            "portcullis_upstream_latency_seconds_bucket{cluster=\"default/hello:80\",le=\"0.0025\"} 1"),
        body);
  }

  @Test
  void headAnswersWithTheLengthButNoBody() throws Exception {
    config.apply(Snapshot.empty());
    HttpResponse<String> response = send("HEAD", "/ready");
    assertEquals(200, response.statusCode());
    assertEquals("6", response.headers().firstValue("content-length").orElse(""));
    assertEquals("", response.body());
    // The connection is still usable afterwards: the next answer is not garbled by a stray body.
    assertEquals("ok\n", send("GET", "/healthz").body());
  }

  @Test
  void clustersIsAnEmptyListBeforeTheFirstSnapshot() throws Exception {
    HttpResponse<String> response = send("GET", "/clusters");
    assertEquals(200, response.statusCode());
    assertEquals("application/json", response.headers().firstValue("content-type").orElse(""));
    assertTrue(response.body().replaceAll("\\s", "").contains("\"clusters\":[]"), response.body());
  }

  @Test
  void unknownPathIs404() throws Exception {
    assertEquals(404, send("GET", "/admin").statusCode());
    assertEquals(404, send("GET", "/").statusCode());
  }

  @Test
  void queryStringDoesNotChangeThePath() throws Exception {
    assertEquals(200, send("GET", "/healthz?verbose=1").statusCode());
  }

  @Test
  void otherMethodsAreRefusedWith405() throws Exception {
    HttpResponse<String> response = send("POST", "/ready");
    assertEquals(405, response.statusCode());
    assertEquals("GET, HEAD", response.headers().firstValue("allow").orElse(""));
    assertEquals(405, send("DELETE", "/metrics").statusCode());
  }

  @Test
  void malformedRequestGets400AndTheConnectionIsClosed() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      out.write("GET /ready HTTP/1.1\r\nbad header line\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 400"), answer);
    }
  }

  @Test
  void oversizedRequestIsRefused() throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5000);
      socket.setSoTimeout(5000);
      OutputStream out = socket.getOutputStream();
      String head =
          "GET /ready HTTP/1.1\r\nHost: x\r\nContent-Length: "
              + (AdminServer.MAX_REQUEST_BYTES + 1)
              + "\r\n\r\n";
      out.write(head.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      String answer = new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
      assertEquals("HTTP/1.1 413", answer);
    }
  }

  @Test
  void closeReleasesThePort() throws IOException {
    server.close();
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> {
              try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return false;
              } catch (IOException refused) {
                return true;
              }
            });
  }
}
