package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.SnapshotCodec;
import io.portcullis.snapshot.VirtualHost;
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

/**
 * Pooled backend connections across config deltas, applied as the stream client applies them:
 * an endpoint a delta removes from its last cluster loses its idle connections at once, every
 * other endpoint keeps them (the next request reuses the connection). Real proxy, real loopback
 * backends counting their connections, the JDK HTTP client.
 */
class PooledConnectionsAcrossDeltasTest {
  private final List<TestBackend> backends = new ArrayList<>();
  private final LiveConfig config = new LiveConfig();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ProxyServer proxy;
  private int proxyPort;
  private TestBackend a;
  private TestBackend b;
  private TestBackend c;

  @BeforeEach
  void start() {
    proxy = new ProxyServer(
        ProxySettings.builder()
            .bindAddress("127.0.0.1")
            .port(0)
            .workerThreads(1) // one event loop: one upstream pool
            .responseTimeout(Duration.ofSeconds(30))
            .shutdownGracePeriod(Duration.ofMillis(100))
            .build(),
        config,
        new ProxyMetrics());
    proxyPort = proxy.start();
    a = backend("a");
    b = backend("b");
    c = backend("c");
  }

  @AfterEach
  void stop() {
    proxy.close();
    backends.forEach(TestBackend::close);
  }

  private TestBackend backend(String name) {
    TestBackend backend = new TestBackend(name, TestBackend.Mode.OK).answeringItsNameOnly();
    backend.start();
    backends.add(backend);
    return backend;
  }

  private static Endpoint at(TestBackend backend) {
    return new Endpoint("127.0.0.1", backend.port());
  }

  private static VirtualHost host(String name, String cluster) {
    return new VirtualHost(name, List.of(Route.of("r/" + name,
        RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to(cluster))));
  }

  /** Hosts a.test, b.test and shared.test, each to its own cluster. */
  private static Snapshot snapshot(List<Endpoint> clusterA, List<Endpoint> clusterB,
      List<Endpoint> shared) {
    return Snapshot.of(
        List.of(host("a.test", "ns/a:80"), host("b.test", "ns/b:80"), host("shared.test", "ns/shared:80")),
        List.of(new Cluster("ns/a:80", clusterA), new Cluster("ns/b:80", clusterB),
            new Cluster("ns/shared:80", shared)),
        null);
  }

  /** Applies {@code to} as the stream client does: the delta over the wire, then the result. */
  private Delta receive(Snapshot to) {
    Snapshot from = config.current().snapshot();
    Delta delta = SnapshotCodec.fromJson(SnapshotCodec.toJson(Delta.between(from, to)), Delta.class);
    config.apply(delta.applyTo(from), delta);
    return delta;
  }

  private String get(String host) throws Exception {
    HttpResponse<String> response = client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/")).header("Host", host)
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode(), response.body());
    return response.body();
  }

  /** One request through each host, so that each backend has one pooled connection. */
  private void warm() throws Exception {
    assertEquals("a", get("a.test"));
    assertEquals("b", get("b.test"));
    await().atMost(Duration.ofSeconds(10)).until(() -> a.answered.get() == 1 && b.answered.get() == 1);
  }

  @Test
  @DisplayName("an endpoint a delta removes loses its pooled connection; an endpoint the delta kept reuses its own")
  void removedEndpointLosesItsConnection() throws Exception {
    config.apply(snapshot(List.of(at(a)), List.of(at(b)), List.of()));
    warm();

    Delta delta = receive(snapshot(List.of(at(a)), List.of(at(c)), List.of()));
    assertEquals(List.of("ns/b:80"), delta.upsertClusters().stream().map(Cluster::name).toList());

    await().atMost(Duration.ofSeconds(10)).until(() -> b.closedConnections.get() == 1);
    assertEquals("a", get("a.test"));
    assertEquals("c", get("b.test"));
    assertEquals(1, a.connections.get(), "a's pooled connection was reused");
    assertEquals(0, a.closedConnections.get());
  }

  @Test
  @DisplayName("an endpoint that leaves one cluster but stays in another keeps its pooled connection")
  void endpointInAnotherClusterKeepsItsConnection() throws Exception {
    config.apply(snapshot(List.of(at(a)), List.of(at(b)), List.of(at(b))));
    warm();

    // b leaves ns/b:80 (c takes its place) but still serves ns/shared:80; the whole ns/a:80 goes
    // away with its host, and a with it.
    receive(Snapshot.of(List.of(host("b.test", "ns/b:80"), host("shared.test", "ns/shared:80")),
        List.of(new Cluster("ns/b:80", List.of(at(c))), new Cluster("ns/shared:80", List.of(at(b)))),
        null));

    await().atMost(Duration.ofSeconds(10)).until(() -> a.closedConnections.get() == 1);
    assertEquals("b", get("shared.test"));
    assertEquals(1, b.connections.get(), "b's pooled connection was reused");
    assertEquals(0, b.closedConnections.get());
  }

  @Test
  @DisplayName("a whole snapshot applied without its delta still closes only what left")
  void wholeSnapshotSweeps() throws Exception {
    config.apply(snapshot(List.of(at(a)), List.of(at(b)), List.of()));
    warm();

    config.apply(snapshot(List.of(at(a)), List.of(at(c)), List.of()));

    await().atMost(Duration.ofSeconds(10)).until(() -> b.closedConnections.get() == 1);
    assertEquals("a", get("a.test"));
    assertEquals(1, a.connections.get());
  }
}
