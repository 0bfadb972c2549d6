package io.portcullis.dataplane;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.dataplane.log.AsyncAccessLog;
import io.portcullis.dataplane.testing.TestBackend;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The access log and byte counters of a running dataplane, lines captured from its sink. */
class AccessLogTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  @Test
  void aProxiedRequestWritesOneJsonLineWithRouteClusterEndpointStatusAndSizes() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (TestBackend backend = GracefulDrainTest.okBackend();
        Dataplane dataplane = Dataplane.start(GracefulDrainTest.options(),
            onDrop -> new AsyncAccessLog(lines::add, 64, onDrop))) {
      dataplane.config().apply(GracefulDrainTest.routeEverythingTo(backend.port()));
      Instant before = Instant.now().minusSeconds(1);
      HttpResponse<String> response = client.send(
          HttpRequest.newBuilder(
                  URI.create("http://127.0.0.1:" + dataplane.httpPort() + "/hello/world?token=secret"))
              .header("User-Agent", "tester/1.0 \"quoted\"")
              .POST(HttpRequest.BodyPublishers.ofString("12345"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      assertEquals(200, response.statusCode());

      await().atMost(DEADLINE).until(() -> lines.size() == 1);
      JsonNode line = JSON.readTree(lines.get(0));
      assertTrue(Instant.parse(line.get("time").asText()).isAfter(before), line::toString);
      assertTrue(line.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
      assertEquals(response.headers().firstValue("x-request-id").orElseThrow(),
          line.get("request_id").asText());
      assertEquals("127.0.0.1", line.get("client").asText());
      assertEquals("POST", line.get("method").asText());
      assertEquals("127.0.0.1:" + dataplane.httpPort(), line.get("authority").asText());
      assertEquals("/hello/world", line.get("path").asText(), "no query string");
      assertEquals("HTTP/1.1", line.get("protocol").asText());
      assertEquals(200, line.get("status").asInt());
      assertEquals("all", line.get("route").asText());
      assertEquals("backend", line.get("cluster").asText());
      assertEquals("127.0.0.1:" + backend.port(), line.get("endpoint").asText());
      assertEquals(200, line.get("upstream_status").asInt());
      assertTrue(line.get("duration_ms").asDouble() >= line.get("upstream_duration_ms").asDouble());
      assertTrue(line.get("upstream_duration_ms").asDouble() > 0);
      assertEquals(5, line.get("bytes_in").asLong());
      assertEquals(2, line.get("bytes_out").asLong());
      assertEquals("tester/1.0 \"quoted\"", line.get("user_agent").asText());
      assertEquals(0, line.get("retries").asInt());

      // A request no route matches is logged too, with no cluster or endpoint.
      dataplane.config().apply(io.portcullis.snapshot.Snapshot.empty());
      client.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + dataplane.httpPort() + "/x"))
              .build(),
          HttpResponse.BodyHandlers.ofString());
      await().atMost(DEADLINE).until(() -> lines.size() == 2);
      JsonNode notFound = JSON.readTree(lines.get(1));
      assertEquals(404, notFound.get("status").asInt());
      assertEquals("none", notFound.get("route").asText());
      assertTrue(notFound.get("cluster").isNull());
      assertEquals(0, notFound.get("upstream_status").asInt());

      String metrics = scrape(dataplane);
      assertTrue(metrics.matches("(?s).*portcullis_downstream_received_bytes_total [1-9].*"), metrics);
      assertTrue(metrics.matches("(?s).*portcullis_downstream_sent_bytes_total [1-9].*"), metrics);
    }
  }

  @Test
  void theFlagsReachTheProxyAndTheLogShowsTheClientTrustedProxiesNamed() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    DataplaneOptions options = behindProxies("client-address", "--max-connections-per-client", "10");
    try (TestBackend backend = new TestBackend();
        Dataplane dataplane = Dataplane.start(options,
            onDrop -> new AsyncAccessLog(lines::add, 64, onDrop))) {
      backend.start();
      dataplane.config().apply(GracefulDrainTest.routeEverythingTo(backend.port()));
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", dataplane.httpPort())) {
        s.setSoTimeout(10_000);
        // The PROXY source is a trusted proxy too: the client is the one it names.
        s.getOutputStream().write(("PROXY TCP4 127.0.0.9 127.0.0.1 1 80\r\n"
            + "GET / HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 198.51.100.4\r\n"
            + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertTrue(response.startsWith("HTTP/1.1 200"), response);
      }
      await().atMost(DEADLINE).until(() -> lines.size() == 1);
      assertEquals("198.51.100.4", JSON.readTree(lines.get(0)).get("client").asText());
      assertEquals("198.51.100.4, 127.0.0.9",
          backend.requests.get(0).headers().get("x-forwarded-for"));
      assertTrue(scrape(dataplane).contains("portcullis_client_connections_refused_total 0.0"));
    }
  }

  @Test
  void eachRequestOfAKeptAliveConnectionIsLoggedWithItsOwnClient() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    DataplaneOptions options = behindProxies("keep-alive-clients");
    try (TestBackend backend = new TestBackend();
        Dataplane dataplane = Dataplane.start(options,
            onDrop -> new AsyncAccessLog(lines::add, 64, onDrop))) {
      backend.start();
      dataplane.config().apply(GracefulDrainTest.routeEverythingTo(backend.port()));
      try (java.net.Socket s = new java.net.Socket("127.0.0.1", dataplane.httpPort())) {
        s.setSoTimeout(10_000);
        // The connection's address comes from the PROXY header, read after the log's handler was
        // added; a trusted proxy's requests name other clients, one request at a time.
        s.getOutputStream().write(("PROXY TCP4 127.0.0.9 127.0.0.1 1 80\r\n"
            + "GET /1 HTTP/1.1\r\nHost: shop\r\n\r\n"
            + "GET /2 HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 198.51.100.4\r\n\r\n"
            + "GET /3 HTTP/1.1\r\nHost: shop\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        String responses = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertEquals(3, responses.split("HTTP/1.1 200", -1).length - 1, responses);
      }
      await().atMost(DEADLINE).until(() -> lines.size() == 3);
      List<String> clients = new java.util.ArrayList<>();
      for (String line : lines) {
        clients.add(JSON.readTree(line).get("path").asText() + " " + JSON.readTree(line).get("client").asText());
      }
      assertEquals(List.of("/1 127.0.0.9", "/2 198.51.100.4", "/3 127.0.0.9"), clients);
    }
  }

  /** A dataplane that reads PROXY v1 headers and trusts 127.0.0.0/8's X-Forwarded-For. */
  private static DataplaneOptions behindProxies(String nodeId, String... more) {
    List<String> args = new java.util.ArrayList<>(List.of(
        "--control-plane", "http://127.0.0.1:1", "--node-id", nodeId,
        "--http-port", "0", "--https-port", "0", "--admin-port", "0",
        "--bind-address", "127.0.0.1", "--trusted-proxies", "127.0.0.0/8",
        "--proxy-protocol", "v1"));
    args.addAll(List.of(more));
    return DataplaneOptions.parse(args.toArray(String[]::new), java.util.Map.of());
  }

  private static String scrape(Dataplane dataplane) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new PrometheusTextFormatWriter(false).write(out, dataplane.metrics().registry().scrape());
    return out.toString(StandardCharsets.UTF_8);
  }
}
