package io.portcullis.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.source.ManifestsSource;
import io.portcullis.operator.status.KubernetesStatusSink;
import io.portcullis.operator.status.LoggingStatusSink;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Snapshot;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.extension.ExtendWith;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class OperatorTest {
  KubernetesClient client;
  @TempDir Path dir;

  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicReference<InetSocketAddress> streamBind = new AtomicReference<>();
  private final AtomicReference<Boolean> streamClosed = new AtomicReference<>(false);
  private Operator operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  /** A stand-in compiler: one cluster per Service, an Accepted status per ProxyRoute. */
  private static final Function<ClusterState, CompileResult> COMPILE =
      state -> {
        List<Cluster> clusters = new ArrayList<>();
        state.services().forEach(
            s -> clusters.add(new Cluster(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName() + ":80", List.of())));
        List<ObjectStatus> statuses = new ArrayList<>();
        for (ProxyRoute r : state.proxyRoutes()) {
          statuses.add(
              new ObjectStatus(
                  new ObjectRef("ProxyRoute", r.getMetadata().getNamespace(), r.getMetadata().getName(),
                      r.getMetadata().getGeneration() == null ? 1 : r.getMetadata().getGeneration(), r.getMetadata().getUid()),
                  List.of(new ObjectStatus.Condition("Accepted", true, "Accepted", "ok")),
                  List.of(),
                  List.of()));
        }
        return new CompileResult(Snapshot.of(List.of(), clusters, null), statuses);
      };

  private StreamEndpoint.Factory fakeStream() {
    return (store, bind) -> {
      streamBind.set(bind);
      return new StreamEndpoint() {
        @Override
        public int start() {
          return 12345;
        }

        @Override
        public void close() {
          streamClosed.set(true);
        }
      };
    };
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.metricsPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void localModeServesManifestsAsSnapshotsAndExposesMetrics() throws Exception {
    Files.writeString(
        dir.resolve("svc.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec: {ports: [{port: 80}]}\n");
    OperatorOptions options =
        OperatorOptions.parse(
            new String[] {"--manifests", dir.toString(), "--metrics-port", "0", "--snapshot-port", "0"}, Map.of());
    SnapshotStore store = new SnapshotStore();
    operator =
        new Operator(options, new ManifestsSource(dir, Duration.ofMillis(200)), new LoggingStatusSink(), COMPILE, store, fakeStream());
    operator.start();

    assertEquals(new InetSocketAddress("127.0.0.1", 0), streamBind.get());
    assertEquals(12345, operator.snapshotPort());
    await().atMost(Duration.ofSeconds(10)).until(() -> store.current().clusters().size() == 1);
    await().atMost(Duration.ofSeconds(10)).until(operator::ready);
    assertEquals("default/web:80", store.current().clusters().get(0).name());

    Files.writeString(
        dir.resolve("svc2.yaml"),
        "apiVersion: v1\nkind: Service\nmetadata: {name: api}\nspec: {ports: [{port: 80}]}\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> store.current().clusters().size() == 2);

    assertEquals(200, get("/healthz").statusCode());
    assertEquals(200, get("/readyz").statusCode());
    assertEquals(404, get("/metricsx").statusCode());
    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    String body = metrics.body();
    assertTrue(body.contains("portcullis_operator_compile_seconds_count"), body);
    assertTrue(body.contains("portcullis_operator_clusters 2.0"), body);
    assertTrue(body.contains("portcullis_operator_routes 0.0"), body);
    assertTrue(body.contains("portcullis_operator_snapshot_info{version=\"" + store.current().version() + "\"} 1"), body);

    operator.close();
    assertTrue(streamClosed.get());
  }

  @Test
  void clusterModeWritesProxyRouteStatusesThroughTheWholePipeline() throws Exception {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("api").build());
    route.setSpec(new ProxyRouteSpec());
    client.resource(route).create();

    OperatorOptions options =
        OperatorOptions.parse(
            new String[] {"--metrics-port", "0", "--snapshot-port", "0", "--snapshot-address", "127.0.0.1"}, Map.of());
    SnapshotStore store = new SnapshotStore();
    operator =
        new Operator(
            options,
            new KubernetesSource(client, List.of(), KubernetesSource.EndpointsKind.ENDPOINT_SLICES),
            new KubernetesStatusSink(client),
            COMPILE,
            store,
            fakeStream());
    operator.start();

    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> {
              ProxyRoute live = client.resources(ProxyRoute.class).inNamespace("shop").withName("api").get();
              return live.getStatus() != null && live.getStatus().getConditions().size() == 2;
            });
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/metrics").body().contains("portcullis_operator_status_writes_total{kind=\"ProxyRoute\",result=\"ok\"} 1.0"));
  }

  @Test
  void aFailingStartClosesWhatItStarted() throws Exception {
    OperatorOptions options =
        OperatorOptions.parse(new String[] {"--manifests", dir.toString(), "--metrics-port", "0"}, Map.of());
    operator =
        new Operator(options, new ManifestsSource(dir.resolve("gone")), new LoggingStatusSink(), COMPILE, new SnapshotStore(), fakeStream());
    var failure = assertThrows(java.io.IOException.class, operator::start);
    assertTrue(failure.getMessage().contains("does not exist"), failure.getMessage());
    assertTrue(streamClosed.get());
  }
}
