package io.portcullis.dataplane.health;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.portcullis.dataplane.Dataplane;
import io.portcullis.dataplane.admin.AdminServer;
import io.portcullis.dataplane.admin.ClusterMetrics;
import io.portcullis.dataplane.admin.ClustersView;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.WeightedBackend;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A real proxy, health checker and admin server on loopback, wired as {@code Dataplane} wires
 * them, with one route {@code /} to one cluster {@link #CLUSTER}.
 */
final class ProxyHarness implements AutoCloseable {
  static final String CLUSTER = "default/app:80";

  record Answer(int status, String body) {
    /** No HTTP answer: the connection broke (the proxy cut a response that failed mid-body). */
    static final Answer BROKEN = new Answer(-1, "");
  }

  final LiveConfig config = new LiveConfig();
  final ProxyMetrics metrics = new ProxyMetrics();
  final HealthCheckService health = new HealthCheckService();
  private final ProxyServer proxy;
  private final AdminServer admin;
  private final int proxyPort;
  private final int adminPort;
  private final List<TestBackend> backends = new CopyOnWriteArrayList<>();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  ProxyHarness() {
    proxy =
        new ProxyServer(
            ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(2).build(),
            config,
            metrics);
    proxyPort = proxy.start();
    health.start(proxy.workerGroup(), proxy.clientChannelType());
    Dataplane.feedClusters(config, health);
    ClusterMetrics.register(metrics.registry(), config::current, health);
    admin = new AdminServer("127.0.0.1", 0, config, metrics, new ClustersView(config, health));
    adminPort = admin.start();
  }

  /** A started backend that answers with just its name; {@link #close} closes it. */
  TestBackend backend(String name, TestBackend.Mode mode) {
    TestBackend b = new TestBackend(name, mode).answeringItsNameOnly();
    b.start();
    backends.add(b);
    return b;
  }

  /** Serves {@code ports} as the one cluster, with {@code policy} and a route timeout. */
  void serve(ClusterPolicy policy, long routeTimeoutMillis, int... ports) {
    List<Endpoint> endpoints =
        Arrays.stream(ports).mapToObj(p -> new Endpoint("127.0.0.1", p)).toList();
    Route route =
        Route.of(
            "app",
            RouteMatch.path(new PathMatch.Prefix("/")),
            new RouteAction.Forward(
                List.of(new WeightedBackend(CLUSTER, 1)), null, routeTimeoutMillis));
    config.apply(
        Snapshot.of(
            List.of(new VirtualHost(VirtualHost.ANY_HOST, List.of(route))),
            List.of(new Cluster(CLUSTER, endpoints, policy)),
            null));
  }

  ClusterRuntime cluster() {
    return config.current().cluster(CLUSTER);
  }

  UpstreamEndpoint endpoint(int port) {
    return cluster().endpoints().stream()
        .filter(e -> e.endpoint().port() == port)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no endpoint on port " + port));
  }

  Answer get(String path) {
    try {
      HttpResponse<String> r =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
                  .timeout(Duration.ofSeconds(10))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Answer(r.statusCode(), r.body());
    } catch (IOException e) {
      return Answer.BROKEN;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + adminPort + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The endpoint on {@code port} as {@code /clusters} shows it. */
  JsonNode clustersEntry(int port) throws IOException, InterruptedException {
    JsonNode doc = new ObjectMapper().readTree(admin("/clusters").body());
    for (JsonNode cluster : doc.get("clusters")) {
      if (cluster.get("name").asText().equals(CLUSTER)) {
        for (JsonNode e : cluster.get("endpoints")) {
          if (e.get("address").asText().equals("127.0.0.1:" + port)) {
            return e;
          }
        }
      }
    }
    throw new AssertionError("no endpoint on port " + port + " in /clusters: " + doc);
  }

  @Override
  public void close() {
    health.close();
    admin.close();
    proxy.close();
    backends.forEach(TestBackend::close);
  }
}
