package io.portcullis.dataplane;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.Snapshot;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataplaneTest {
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** Nothing listens on port 1: the stream client keeps retrying, which is what we want here. */
  private static DataplaneOptions options(int httpPort, int adminPort) {
    return new DataplaneOptions(
        URI.create("http://127.0.0.1:1"), "test-node", httpPort, 0, adminPort, "127.0.0.1", "info");
  }

  private int status(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void startsBothListenersAndIsNotReadyUntilASnapshotArrives() throws Exception {
    try (Dataplane dataplane = Dataplane.start(options(0, 0))) {
      assertTrue(dataplane.httpPort() > 0, "http port " + dataplane.httpPort());
      assertTrue(dataplane.adminPort() > 0, "admin port " + dataplane.adminPort());
      assertTrue(accepts(dataplane.httpPort()));
      assertEquals(503, status(dataplane.adminPort(), "/ready"));
      assertEquals(200, status(dataplane.adminPort(), "/healthz"));

      dataplane.config().apply(Snapshot.empty());

      assertEquals(200, status(dataplane.adminPort(), "/ready"));
    }
  }

  private String body(int port, String path) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    return client.send(request, HttpResponse.BodyHandlers.ofString()).body();
  }

  private com.fasterxml.jackson.databind.JsonNode endpointJson(int adminPort) throws Exception {
    return new com.fasterxml.jackson.databind.ObjectMapper()
        .readTree(body(adminPort, "/clusters"))
        .get("clusters").get(0).get("endpoints").get(0);
  }

  @Test
  void healthChecksRunAndTheAdminPortShowsClustersAndTheirMetrics() throws Exception {
    int closed = LoopbackServer.closedPort();
    ClusterPolicy checked =
        new ClusterPolicy(null, null, null, 0,
            new ClusterPolicy.HealthCheck("/healthz", null, 50, 500, 1, 1, List.of()),
            null, null, 0, null);
    try (Dataplane dataplane = Dataplane.start(options(0, 0))) {
      dataplane.config().apply(Snapshot.of(List.of(),
          List.of(new Cluster("default/app:80", List.of(new Endpoint("127.0.0.1", closed)), checked)),
          "default/app:80"));
      await().atMost(Duration.ofSeconds(10)).until(
          () -> endpointJson(dataplane.adminPort()).get("healthCheckFailures").asLong() >= 2);
      assertEquals("unhealthy", endpointJson(dataplane.adminPort()).get("health").asText());
      String metrics = body(dataplane.adminPort(), "/metrics");
      assertTrue(metrics.contains("portcullis_endpoint_healthy{cluster=\"default/app:80\",endpoint=\"127.0.0.1:"
          + closed + "\"} 0.0"), metrics);
    }
  }

  @Test
  void closeReleasesBothPorts() {
    Dataplane dataplane = Dataplane.start(options(0, 0));
    int http = dataplane.httpPort();
    int admin = dataplane.adminPort();
    dataplane.close();
    assertFalse(accepts(http), "http port still open");
    assertFalse(accepts(admin), "admin port still open");
    dataplane.close(); // twice is harmless
  }

  @Test
  void aTakenAdminPortFailsStartWithAMessageNamingIt() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      RuntimeException e =
          assertThrows(
              RuntimeException.class, () -> Dataplane.start(options(0, taken.getLocalPort())));
      assertTrue(e.getMessage().contains("admin port"), e.getMessage());
    }
  }

  @Test
  void aTakenHttpPortFailsStartAndReleasesTheAdminPortItAlreadyBound() throws IOException {
    int admin;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      admin = free.getLocalPort();
    }
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      assertThrows(
          RuntimeException.class, () -> Dataplane.start(options(taken.getLocalPort(), admin)));
    }
    assertFalse(accepts(admin), "admin port left open after a failed start");
  }
}
