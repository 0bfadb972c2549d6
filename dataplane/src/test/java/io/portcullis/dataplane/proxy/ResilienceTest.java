package io.portcullis.dataplane.proxy;

import static io.portcullis.dataplane.testing.LoopbackServer.closedPort;
import static io.portcullis.dataplane.testing.TestBackend.Mode.HANG;
import static io.portcullis.dataplane.testing.TestBackend.Mode.HEAD_THEN_RESET;
import static io.portcullis.dataplane.testing.TestBackend.Mode.HEAD_THEN_STALL;
import static io.portcullis.dataplane.testing.TestBackend.Mode.OK;
import static io.portcullis.dataplane.testing.TestBackend.Mode.RESET;
import static io.portcullis.dataplane.testing.TestBackend.Mode.UNAVAILABLE;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.ClusterRuntime;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.CircuitBreakers;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.RetryPolicy;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Timeouts, retries, retry budgets, circuit breakers and mirroring against misbehaving backends. */
class ResilienceTest {
  private final ProxyMetrics metrics = new ProxyMetrics();
  private final AtomicReference<Router> router = new AtomicReference<>();
  private final List<TestBackend> backends = new ArrayList<>();
  private final List<ClusterRuntime> clusters = new ArrayList<>();
  private final HttpClient client =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(2)
                .responseTimeout(Duration.ofSeconds(5))
                .shutdownGracePeriod(Duration.ofMillis(200))
                .build(),
            head -> router.get().route(head),
            metrics);
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backends.forEach(TestBackend::close);
    // Every slot a request, retry or connection took was given back, whatever happened to it.
    for (ClusterRuntime c : clusters) {
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> {
                assertEquals(0, c.limits().requests(), c.name() + " requests");
                assertEquals(0, c.limits().retries(), c.name() + " retries");
                assertEquals(0, c.limits().pendingRequests(), c.name() + " pending");
                assertEquals(0, c.limits().connections(), c.name() + " connections");
              });
    }
  }

  // ---------------------------------------------------------------- fixtures

  private TestBackend backend(String name, TestBackend.Mode mode) {
    TestBackend b = new TestBackend(name, mode);
    b.start();
    backends.add(b);
    return b;
  }

  private ClusterRuntime cluster(String name, CircuitBreakers limits, int... ports) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int port : ports) {
      endpoints.add(new Endpoint("127.0.0.1", port));
    }
    ClusterPolicy policy =
        new ClusterPolicy(null, null, null, 0, null, null, limits, 0, null);
    ClusterRuntime c = new ClusterRuntime(new Cluster(name, endpoints, policy));
    clusters.add(c);
    return c;
  }

  private ClusterRuntime cluster(String name, int... ports) {
    return cluster(name, null, ports);
  }

  private static RetryPolicy retries(int attempts, List<String> on, boolean nonIdempotent, long perTry) {
    return new RetryPolicy(attempts, on, nonIdempotent, perTry, 1, 10);
  }

  private void route(
      ClusterRuntime cluster, RetryPolicy retries, long timeoutMillis, long idleMillis,
      RouteDecision.MirrorTarget mirror) {
    router.set(
        head ->
            new RouteDecision.Forward(
                "r", cluster, head.path(), timeoutMillis, idleMillis, retries, mirror, null));
  }

  private void route(ClusterRuntime cluster, RetryPolicy retries) {
    route(cluster, retries, 0, 0, null);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private CompletableFuture<HttpResponse<String>> getAsync(String path) {
    return client.sendAsync(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
            .timeout(Duration.ofSeconds(10))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path))
            .timeout(Duration.ofSeconds(10))
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** The sum of a counter's data points whose labels include {@code labels} (name, value, ...). */
  private double counter(String name, String... labels) {
    double sum = 0;
    for (MetricSnapshot s : metrics.registry().scrape()) {
      if (!s.getMetadata().getName().equals(name)) {
        continue;
      }
      for (CounterSnapshot.CounterDataPointSnapshot p : ((CounterSnapshot) s).getDataPoints()) {
        boolean match = true;
        for (int i = 0; i < labels.length; i += 2) {
          match &= labels[i + 1].equals(p.getLabels().get(labels[i]));
        }
        if (match) {
          sum += p.getValue();
        }
      }
    }
    return sum;
  }

  // ---------------------------------------------------------------- connect failures

  @Test
  void aRefusedConnectionIsRetriedOnTheOtherEndpointAndTheClientSees200() throws Exception {
    TestBackend good = backend("good", OK);
    route(cluster("c", closedPort(), good.port()), null); // the default policy: connect failures
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = get("/g" + i);
      assertEquals(200, r.statusCode());
      assertEquals("good GET /g" + i + " ", r.body());
    }
    HttpResponse<String> p = post("/p", "sent once");
    assertEquals(200, p.statusCode(), "a POST is retried after a connect failure: nothing was sent");
    assertEquals("good POST /p sent once", p.body());
    assertEquals(5, good.hits.get());
    assertTrue(counter("portcullis_upstream_retries", "cluster", "c", "condition", "connect-failure") >= 1);
  }

  // ---------------------------------------------------------------- resets

  @Test
  void aResetBeforeTheResponseHeadIsRetriedForAGetOnAnotherEndpoint() throws Exception {
    TestBackend resetting = backend("resetting", RESET);
    TestBackend good = backend("good", OK);
    route(cluster("c", resetting.port(), good.port()), retries(2, List.of("reset"), false, 0));
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = get("/g" + i);
      assertEquals(200, r.statusCode());
      assertEquals("good GET /g" + i + " ", r.body());
    }
    assertEquals(4, good.hits.get());
    assertTrue(resetting.hits.get() >= 1 && resetting.hits.get() <= 4, "each request tries it at most once");
  }

  @Test
  void aPostIsNotRetriedAfterAResetAndGets502WhileAGetIsRetried() throws Exception {
    TestBackend resetting = backend("resetting", RESET);
    route(cluster("c", resetting.port()), retries(2, List.of("reset"), false, 0));
    HttpResponse<String> p = post("/p", "not idempotent");
    assertEquals(502, p.statusCode());
    assertEquals(1, resetting.hits.get());
    assertEquals(502, get("/g").statusCode());
    assertEquals(1 + 3, resetting.hits.get(), "the GET was tried once and retried twice");
  }

  @Test
  void aPostTheRouteMarksRetriableIsReplayedWithItsBodyToAnotherEndpoint() throws Exception {
    TestBackend resetting = backend("resetting", RESET);
    TestBackend good = backend("good", OK);
    route(cluster("c", resetting.port(), good.port()), retries(1, List.of("reset"), true, 0));
    String big = "x".repeat(20_000);
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = post("/p" + i, "body-" + i + big);
      assertEquals(200, r.statusCode());
      assertEquals("good POST /p" + i + " body-" + i + big, r.body());
    }
    assertTrue(resetting.hits.get() >= 1);
    resetting.requests.forEach(s -> assertTrue(s.body().startsWith("body-"), "the first try got the body too"));
  }

  @Test
  void aBodyLargerThanTheReplayLimitIsNotRetriedOnceSent() throws Exception {
    TestBackend resetting = backend("resetting", RESET);
    route(cluster("c", resetting.port()), retries(2, List.of("reset"), true, 0));
    HttpResponse<String> r = post("/big", "y".repeat(100_000)); // over the 64 KiB default
    assertEquals(502, r.statusCode());
    assertEquals(1, resetting.hits.get());
  }

  // ---------------------------------------------------------------- timeouts

  @Test
  void aHangingBackendTimesOutPerTryAndTheRetryLandsElsewhere() throws Exception {
    TestBackend hanging = backend("hanging", HANG);
    TestBackend good = backend("good", OK);
    route(cluster("c", hanging.port(), good.port()), retries(1, List.of("timeout"), false, 200));
    for (int i = 0; i < 2; i++) {
      HttpResponse<String> r = get("/g" + i);
      assertEquals(200, r.statusCode());
      assertTrue(r.body().startsWith("good "), r.body());
    }
    assertTrue(hanging.hits.get() >= 1);
    assertTrue(counter("portcullis_upstream_timeouts", "cluster", "c", "kind", "per_try") >= 1);
  }

  @Test
  void theTotalTimeoutAnswers504WhenTheBackendHangs() throws Exception {
    TestBackend hanging = backend("hanging", HANG);
    route(cluster("c", hanging.port()), retries(2, List.of("timeout"), false, 0), 300, 0, null);
    HttpResponse<String> r = get("/slow");
    assertEquals(504, r.statusCode());
    assertEquals("gateway timeout\n", r.body());
    assertEquals(1, hanging.hits.get(), "without a per-try timeout the one try has all the time");
    assertEquals(1, counter("portcullis_upstream_timeouts", "cluster", "c", "kind", "total"));
  }

  @Test
  void everyTryHangingEndsIn504WhenTheTotalTimeRunsOut() throws Exception {
    TestBackend a = backend("a", HANG);
    TestBackend b = backend("b", HANG);
    route(cluster("c", a.port(), b.port()), retries(10, List.of("timeout"), false, 100), 1000, 0, null);
    HttpResponse<String> r = get("/slow");
    assertEquals(504, r.statusCode());
    assertEquals("gateway timeout\n", r.body());
    assertTrue(a.hits.get() + b.hits.get() >= 2, "tries went on until the total deadline");
    assertTrue(counter("portcullis_upstream_timeouts", "cluster", "c", "kind", "per_try") >= 1);
  }

  @Test
  void aTotalTimeoutAfterTheResponseStartedCutsTheConnection() throws Exception {
    TestBackend stalling = backend("stalling", HEAD_THEN_STALL);
    route(cluster("c", stalling.port()), retries(2, List.of("timeout", "reset"), false, 0), 300, 0, null);
    assertThrows(IOException.class, () -> get("/stall"));
    assertEquals(1, stalling.hits.get());
    assertEquals(1, counter("portcullis_upstream_timeouts", "cluster", "c", "kind", "total"));
  }

  @Test
  void anIdleTimeoutCutsAResponseThatStopsMoving() throws Exception {
    TestBackend stalling = backend("stalling", HEAD_THEN_STALL);
    route(cluster("c", stalling.port()), null, 0, 200, null);
    assertThrows(IOException.class, () -> get("/stall"));
    assertEquals(1, counter("portcullis_upstream_timeouts", "cluster", "c", "kind", "idle"));
  }

  @Test
  void anIdleTimeoutBeforeTheResponseHeadIs504() throws Exception {
    TestBackend hanging = backend("hanging", HANG);
    route(cluster("c", hanging.port()), null, 0, 200, null);
    assertEquals(504, get("/hang").statusCode());
  }

  @Test
  void nothingIsRetriedOnceTheResponseStarted() throws Exception {
    TestBackend breaking = backend("breaking", HEAD_THEN_RESET);
    route(cluster("c", breaking.port()), retries(3, List.of("reset", "502"), true, 0));
    assertThrows(IOException.class, () -> get("/g"));
    assertEquals(1, breaking.hits.get());
    assertEquals(0, counter("portcullis_upstream_retries", "cluster", "c"));
  }

  // ---------------------------------------------------------------- retriable statuses

  @Test
  void a503IsRetriedOnAnotherEndpointWhenTheRouteSaysSo() throws Exception {
    TestBackend down = backend("down", UNAVAILABLE);
    TestBackend good = backend("good", OK);
    route(cluster("c", down.port(), good.port()), retries(2, List.of("503"), false, 0));
    for (int i = 0; i < 4; i++) {
      HttpResponse<String> r = get("/g" + i);
      assertEquals(200, r.statusCode());
      assertEquals(Optional.of("good"), r.headers().firstValue("x-backend"));
    }
    assertTrue(down.hits.get() >= 1);
  }

  @Test
  void the503IsReturnedOnceTheAttemptsAreExhausted() throws Exception {
    TestBackend down = backend("down", UNAVAILABLE);
    route(cluster("c", down.port()), retries(2, List.of("503"), false, 0));
    HttpResponse<String> r = get("/g");
    assertEquals(503, r.statusCode());
    assertEquals("down\n", r.body(), "the backend's own answer, not the proxy's");
    assertEquals(3, down.hits.get());
    assertEquals(2, counter("portcullis_upstream_retries", "cluster", "c", "condition", "503"));
    assertEquals(200, getAfterRecovery(down).statusCode(), "the drained connections stay usable");
  }

  private HttpResponse<String> getAfterRecovery(TestBackend backend) throws Exception {
    backend.mode = OK;
    return get("/again");
  }

  @Test
  void theRetryBudgetRefusesARetryAndTheAnswerSaysSo() throws Exception {
    TestBackend down = backend("down", UNAVAILABLE);
    CircuitBreakers tightBudget = new CircuitBreakers(1024, 1024, 1024, 10, 0);
    route(cluster("c", tightBudget, down.port()), retries(2, List.of("503"), false, 0));
    HttpResponse<String> r = get("/g");
    assertEquals(503, r.statusCode());
    assertEquals("down\n", r.body());
    assertEquals(Optional.of("retry-budget"), r.headers().firstValue("x-portcullis-overflow"));
    assertEquals(1, down.hits.get());
    assertEquals(1, counter("portcullis_upstream_overflows", "cluster", "c", "limit", "retry-budget"));
    assertEquals(0, counter("portcullis_upstream_retries", "cluster", "c"));
  }

  // ---------------------------------------------------------------- circuit breakers

  @Test
  void beyondMaxRequestsAFast503NamesTheLimit() throws Exception {
    TestBackend hanging = backend("hanging", HANG);
    CircuitBreakers two = new CircuitBreakers(1024, 1024, 2, 20, 3);
    route(cluster("c", two, hanging.port()), null);
    CompletableFuture<HttpResponse<String>> first = getAsync("/1");
    CompletableFuture<HttpResponse<String>> second = getAsync("/2");
    await().atMost(Duration.ofSeconds(5)).until(() -> hanging.hits.get() == 2);
    HttpResponse<String> third = get("/3");
    assertEquals(503, third.statusCode());
    assertEquals(Optional.of("max-requests"), third.headers().firstValue("x-portcullis-overflow"));
    assertEquals(2, hanging.hits.get());
    assertEquals(1, counter("portcullis_upstream_overflows", "cluster", "c", "limit", "max-requests"));
    hanging.close(); // the hanging requests fail now, and give their slots back
    assertEquals(502, first.get().statusCode());
    assertEquals(502, second.get().statusCode());
  }

  @Test
  void beyondMaxConnectionsAFast503NamesTheLimit() throws Exception {
    TestBackend hanging = backend("hanging", HANG);
    CircuitBreakers one = new CircuitBreakers(1, 1024, 1024, 20, 3);
    route(cluster("c", one, hanging.port()), null);
    CompletableFuture<HttpResponse<String>> first = getAsync("/1");
    await().atMost(Duration.ofSeconds(5)).until(() -> hanging.hits.get() == 1);
    HttpResponse<String> second = get("/2");
    assertEquals(503, second.statusCode());
    assertEquals(Optional.of("max-connections"), second.headers().firstValue("x-portcullis-overflow"));
    hanging.close();
    assertEquals(502, first.get().statusCode());
  }

  @Test
  void atMaxConnectionsAnIdlePooledConnectionMakesRoomForAnotherEndpoint() throws Exception {
    TestBackend a = backend("a", OK);
    TestBackend b = backend("b", OK);
    CircuitBreakers one = new CircuitBreakers(1, 1024, 1024, 20, 3);
    ClusterRuntime c = cluster("c", one, a.port(), b.port());
    route(c, null);
    for (int i = 0; i < 4; i++) {
      assertEquals(200, get("/" + i).statusCode(), "request " + i);
    }
    assertTrue(a.hits.get() >= 1 && b.hits.get() >= 1, "both endpoints served");
    assertTrue(c.limits().connections() <= 1);
  }

  // ---------------------------------------------------------------- mirroring

  @Test
  void theShadowGetsACopyWithAShadowHostAndTheClientOnlyTheRealAnswer() throws Exception {
    TestBackend real = backend("real", OK);
    TestBackend shadow = backend("shadow", OK);
    ClusterRuntime shadowCluster = cluster("shadow", shadow.port());
    route(cluster("c", real.port()), null, 0, 0, new RouteDecision.MirrorTarget(shadowCluster, 100));
    HttpResponse<String> r = post("/m", "copy me");
    assertEquals(200, r.statusCode());
    assertEquals("real POST /m copy me", r.body());
    await().atMost(Duration.ofSeconds(5)).until(() -> shadow.requests.size() == 1);
    TestBackend.Seen copy = shadow.requests.get(0);
    assertEquals("POST", copy.method());
    assertEquals("/m", copy.uri());
    assertEquals("copy me", copy.body());
    assertEquals("127.0.0.1-shadow:" + proxyPort, copy.host());
    assertEquals(200, get("/n").statusCode());
    await().atMost(Duration.ofSeconds(5)).until(() -> shadow.requests.size() == 2);
    await().until(() -> counter("portcullis_mirror_requests", "cluster", "shadow", "result", "sent") == 2);
  }

  @Test
  void aFailingOrHangingShadowNeverAffectsTheClient() throws Exception {
    TestBackend real = backend("real", OK);
    TestBackend hangingShadow = backend("hanging-shadow", HANG);
    ClusterRuntime refused = cluster("refused", closedPort());
    ClusterRuntime hanging = cluster("hanging", hangingShadow.port());
    ClusterRuntime main = cluster("c", real.port());
    route(main, null, 0, 0, new RouteDecision.MirrorTarget(refused, 100));
    assertEquals(200, get("/a").statusCode());
    await().until(() -> counter("portcullis_mirror_requests", "cluster", "refused", "result", "failed") == 1);
    route(main, null, 0, 0, new RouteDecision.MirrorTarget(hanging, 100));
    for (int i = 0; i < 3; i++) {
      assertEquals(200, get("/b" + i).statusCode());
    }
    await().until(() -> hangingShadow.hits.get() == 3);
    assertEquals(4, real.hits.get());
    hangingShadow.close(); // the shadow requests fail now, and give their slots back
    await().until(() -> counter("portcullis_mirror_requests", "cluster", "hanging", "result", "failed") == 3);
  }

  @Test
  void aChunkedBodyIsNotMirroredAndThatIsCounted() throws Exception {
    TestBackend real = backend("real", OK);
    TestBackend shadow = backend("shadow", OK);
    ClusterRuntime shadowCluster = cluster("shadow", shadow.port());
    route(cluster("c", real.port()), null, 0, 0, new RouteDecision.MirrorTarget(shadowCluster, 100));
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/chunked"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                    () -> new java.io.ByteArrayInputStream("streamed".getBytes())))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("real POST /chunked streamed", r.body());
    assertEquals(1, counter("portcullis_mirror_requests", "cluster", "shadow", "result", "skipped_body"));
    assertEquals(0, shadow.hits.get());
  }

  @Test
  void anEndpointWhose503sAreSavedByRetriesIsStillEjectedByOutlierDetection() throws Exception {
    TestBackend down = backend("down", UNAVAILABLE);
    TestBackend good = backend("good", OK);
    ClusterRuntime c = cluster("c", down.port(), good.port());
    route(c, retries(1, List.of("503"), false, 0));
    // Round robin sends every other first try to "down"; each of those is a failed try that
    // outlier detection hears (5 gateway failures in a row eject), though its retry saves the client.
    for (int i = 0; i < 12; i++) {
      assertEquals(200, get("/g" + i).statusCode());
    }
    UpstreamEndpoint downEndpoint =
        c.endpoints().stream().filter(e -> e.endpoint().port() == down.port()).findFirst().orElseThrow();
    assertTrue(downEndpoint.ejected(System.nanoTime()), "the failing endpoint is ejected");
    int hits = down.hits.get();
    for (int i = 0; i < 6; i++) {
      HttpResponse<String> r = get("/after" + i);
      assertEquals(Optional.of("good"), r.headers().firstValue("x-backend"));
    }
    assertEquals(hits, down.hits.get(), "an ejected endpoint gets no first tries");
  }

  @Test
  void aBodilessPostIsNotSentTwiceWhenItsPooledConnectionBreaksButAGetIs() throws Exception {
    TestBackend b = backend("b", OK);
    route(cluster("c", b.port()), RetryPolicy.DEFAULT);
    assertEquals(200, get("/warm").statusCode()); // leaves a pooled keep-alive connection
    b.mode = RESET;
    int before = b.hits.get();
    assertEquals(502, post("/order", "").statusCode());
    assertEquals(before + 1, b.hits.get(), "the backend may have acted on the POST: sent once");

    b.mode = OK;
    assertEquals(200, get("/warm-again").statusCode());
    b.mode = RESET;
    before = b.hits.get();
    assertEquals(502, get("/again").statusCode());
    assertEquals(before + 2, b.hits.get(), "a GET goes once more on a fresh connection");
  }
}
