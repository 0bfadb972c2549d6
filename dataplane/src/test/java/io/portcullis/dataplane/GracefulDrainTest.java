package io.portcullis.dataplane;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** What SIGTERM runs ({@link Dataplane#drain()}), against a real proxy and a slow backend. */
class GracefulDrainTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  /** A backend that answers {@code ok} at once, except {@code /hang}: held until released. */
  static TestBackend okBackend() {
    TestBackend backend = new TestBackend("ok", TestBackend.Mode.OK).answeringItsNameOnly();
    backend.start();
    return backend;
  }

  static Snapshot routeEverythingTo(int port) {
    return Snapshot.of(
        List.of(new VirtualHost("*", List.of(Route.of(
            "all", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("backend"))))),
        List.of(new Cluster("backend", List.of(new Endpoint("127.0.0.1", port)))),
        null);
  }

  static DataplaneOptions options() {
    // Nothing listens on port 1: the stream client retries in the background, config is applied
    // directly by the test.
    return new DataplaneOptions(
        URI.create("http://127.0.0.1:1"), "drain-test", 0, 0, 0, "127.0.0.1", "info");
  }

  private static boolean accepts(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static HttpResponse<String> get(HttpClient client, int port, String path)
      throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void requestsInFlightWhenDrainStartsAllCompleteWhileNewConnectionsAreRefusedAfterTheDelay()
      throws Exception {
    // The delay is the window in which the listener must still accept: long enough that the
    // checks inside it cannot miss it on a loaded machine.
    DataplaneOptions options =
        options().withDrain(Duration.ofSeconds(2), Duration.ofSeconds(15)).withAccessLog(false);
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    try (TestBackend backend = okBackend();
        Dataplane dataplane = Dataplane.start(options)) {
      dataplane.config().apply(routeEverythingTo(backend.port()));
      int http = dataplane.httpPort();
      int admin = dataplane.adminPort();
      assertEquals(200, get(client, admin, "/ready").statusCode());

      List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        inFlight.add(client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http + "/hang")).build(),
            HttpResponse.BodyHandlers.ofString()));
      }
      await().atMost(DEADLINE).until(() -> backend.inFlight.get() == 3);

      CompletableFuture<Void> drained = CompletableFuture.runAsync(dataplane::drain);
      await().atMost(DEADLINE).until(dataplane::draining);
      assertEquals(503, get(client, admin, "/ready").statusCode(), "/ready during the drain");
      HttpClient fresh = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      assertEquals(200, get(fresh, http, "/fast").statusCode(),
          "a new connection inside the drain delay is still served");

      await().atMost(DEADLINE).until(() -> !accepts(http));
      assertFalse(drained.isDone(), "drain waits for the requests in flight");
      assertEquals(503, get(client, admin, "/ready").statusCode(), "/ready while waiting");

      backend.releaseHeld();
      for (CompletableFuture<HttpResponse<String>> request : inFlight) {
        HttpResponse<String> response = request.get();
        assertEquals(200, response.statusCode());
        assertEquals("ok", response.body());
        assertEquals("close", response.headers().firstValue("connection").orElse(""),
            "told to go away with its last response");
      }
      drained.get();
      assertFalse(accepts(admin), "everything stopped after the drain");
    }
  }

  @Test
  void aDrainWithNothingInFlightEndsRightAfterTheDelay() {
    Dataplane dataplane =
        Dataplane.start(options().withDrain(Duration.ZERO, Duration.ofSeconds(15)).withAccessLog(false));
    int http = dataplane.httpPort();
    dataplane.drain();
    assertTrue(dataplane.draining());
    assertFalse(accepts(http));
    dataplane.drain(); // a second SIGTERM is harmless
  }
}
