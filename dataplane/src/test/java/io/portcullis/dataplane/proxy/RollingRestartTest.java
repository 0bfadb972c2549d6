package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RetryPolicy;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.WeightedBackend;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every endpoint of a cluster is replaced one by one, as a Deployment's rolling update does, while
 * clients keep sending GETs: the new pod joins, the old one leaves the snapshot and is stopped,
 * cutting the requests it still had in flight. Retries on resets and failed connects, to endpoints taken
 * from the cluster as it is now, hide all of it.
 */
class RollingRestartTest {
  private static final RetryPolicy RETRIES =
      new RetryPolicy(3, List.of("connect-failure", "reset"), false, 0, 1, 20);

  private final List<TestBackend> backends = new ArrayList<>();
  private final LiveConfig config = new LiveConfig();
  private ProxyServer proxy;
  private ExecutorService clients;

  @AfterEach
  void stop() throws Exception {
    if (clients != null) {
      clients.shutdownNow();
      clients.awaitTermination(5, TimeUnit.SECONDS);
    }
    if (proxy != null) {
      proxy.close();
    }
    backends.forEach(TestBackend::close);
  }

  private TestBackend backend(String name) {
    TestBackend b = new TestBackend(name, TestBackend.Mode.SLOW);
    b.start();
    backends.add(b);
    return b;
  }

  private void apply(List<TestBackend> serving) {
    List<Endpoint> endpoints =
        serving.stream().map(b -> new Endpoint("127.0.0.1", b.port())).toList();
    RouteAction.Forward forward =
        new RouteAction.Forward(List.of(new WeightedBackend("svc", 1)), null, 0, 0, RETRIES, null);
    Route route = Route.of("r", RouteMatch.path(new PathMatch.Prefix("/")), forward);
    config.apply(
        Snapshot.of(
            List.of(new VirtualHost(VirtualHost.ANY_HOST, List.of(route))),
            List.of(new Cluster("svc", endpoints)),
            null));
  }

  @Test
  void replacingEveryEndpointUnderSteadyLoadFailsNoRequest() throws Exception {
    List<TestBackend> serving = new ArrayList<>(List.of(backend("old0"), backend("old1"), backend("old2")));
    apply(serving);
    proxy =
        new ProxyServer(
            ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(2)
                .shutdownGracePeriod(Duration.ofMillis(200)).build(),
            config,
            new ProxyMetrics());
    int port = proxy.start();

    AtomicBoolean running = new AtomicBoolean(true);
    AtomicInteger ok = new AtomicInteger();
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    clients = Executors.newFixedThreadPool(3);
    for (int t = 0; t < 3; t++) {
      int thread = t;
      clients.submit(
          () -> {
            int i = 0;
            while (running.get()) {
              try {
                HttpResponse<String> r =
                    client.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/t" + thread + "/" + i++))
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                        HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                  ok.incrementAndGet();
                } else {
                  failures.add(r.statusCode() + " " + r.body());
                }
              } catch (Exception e) {
                if (running.get()) {
                  failures.add(e.toString());
                }
              }
            }
          });
    }

    awaitMoreRequests(ok, 10);
    for (int step = 0; step < 3; step++) {
      TestBackend fresh = backend("new" + step);
      serving.add(fresh);
      apply(serving); // the new pod is ready
      awaitMoreRequests(ok, 10);
      TestBackend old = serving.remove(0);
      // Stop it while it still works on a request, so the stop cuts something.
      await().atMost(Duration.ofSeconds(10)).until(() -> old.inFlight.get() > 0);
      apply(serving); // the old pod leaves the EndpointSlice ...
      old.close(); // ... and stops, resetting what it still had open
      awaitMoreRequests(ok, 10);
    }
    running.set(false);
    clients.shutdown();
    assertTrue(clients.awaitTermination(15, TimeUnit.SECONDS));

    assertEquals(List.of(), List.copyOf(failures));
    for (TestBackend b : serving) {
      assertTrue(b.hits.get() > 0, b.name + " took traffic");
    }
  }

  private static void awaitMoreRequests(AtomicInteger ok, int more) {
    int target = ok.get() + more;
    await().atMost(Duration.ofSeconds(20)).until(() -> ok.get() >= target);
  }
}
