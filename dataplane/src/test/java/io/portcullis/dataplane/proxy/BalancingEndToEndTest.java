package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
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
import org.junit.jupiter.api.Test;

/** Balancing policies through a real proxy, real loopback backends and the JDK HTTP client. */
class BalancingEndToEndTest {
  private final List<TestBackend> backends = new ArrayList<>();
  private final LiveConfig config = new LiveConfig();
  private final HttpClient client =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(1) // one event loop: one upstream pool to reason about
                .responseTimeout(Duration.ofSeconds(30))
                .shutdownGracePeriod(Duration.ofMillis(100))
                .build(),
            config,
            new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backends.forEach(TestBackend::close);
  }

  private TestBackend backend(String name) {
    TestBackend b = new TestBackend(name, TestBackend.Mode.OK).answeringItsNameOnly();
    b.start();
    backends.add(b);
    return b;
  }

  private void apply(ClusterPolicy.LoadBalancer lb, TestBackend... members) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (TestBackend b : members) {
      endpoints.add(new Endpoint("127.0.0.1", b.port()));
    }
    ClusterPolicy policy = new ClusterPolicy(null, null, lb, 0, null, null, null, 0, null);
    config.apply(
        Snapshot.of(
            List.of(
                new VirtualHost(
                    "*",
                    List.of(Route.of("all", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("svc"))))),
            List.of(new Cluster("svc", endpoints, policy)),
            null));
  }

  private HttpResponse<String> get(String path, String cookie) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path));
    if (cookie != null) {
      b.header("Cookie", cookie);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void theClientAddressHashUsesTheAddressTrustedProxiesNamed() throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    TestBackend c = backend("c");
    apply(new ClusterPolicy.LoadBalancer(Policy.MAGLEV, ClusterPolicy.HashOn.CLIENT_ADDRESS, null,
        null), a, b, c);
    ProxyServer trusting = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1)
            .shutdownGracePeriod(Duration.ofMillis(100))
            .clientAddresses(io.portcullis.dataplane.clientaddress.ClientAddressSettings.DEFAULT
                .withTrustedProxies(
                    io.portcullis.dataplane.clientaddress.TrustedProxies.parse("127.0.0.1")))
            .build(),
        config, new ProxyMetrics());
    int port = trusting.start();
    try {
      java.util.Set<String> picked = new java.util.HashSet<>();
      for (int i = 1; i <= 30; i++) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
            .header("X-Forwarded-For", "198.51.100." + i)
            .build();
        String first = client.send(request, HttpResponse.BodyHandlers.ofString()).body();
        assertEquals(first, client.send(request, HttpResponse.BodyHandlers.ofString()).body(),
            "one client, one backend");
        picked.add(first);
      }
      // Every connection comes from 127.0.0.1: hashing the peer would pick one backend for all.
      assertTrue(picked.size() > 1, picked.toString());
    } finally {
      trusting.close();
    }
  }

  @Test
  void leastRequestSendsNewRequestsAwayFromTheBackendThatIsStillBusy() throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    apply(ClusterPolicy.LoadBalancer.of(Policy.LEAST_REQUEST), a, b);
    var slow =
        client.sendAsync(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/hang")).build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(10)).until(() -> a.inFlight.get() + b.inFlight.get() == 1);
    TestBackend busy = a.inFlight.get() == 0 ? b : a;
    TestBackend idle = busy == a ? b : a;
    for (int i = 0; i < 20; i++) {
      assertEquals(idle.name, get("/quick", null).body());
    }
    assertEquals(0, busy.answered.get(), "round robin would have sent half of them to the busy one");
    busy.releaseHeld();
    assertEquals(busy.name, slow.get().body());
    // Both idle again: new requests spread over both once more.
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      names.add(get("/quick", null).body());
    }
    assertTrue(names.contains("a") && names.contains("b"), names.toString());
    for (var e : config.current().cluster("svc").endpoints()) {
      assertEquals(0, e.activeRequests(), "every finished request gave its count back: " + e);
      assertEquals(0, e.failures());
    }
  }

  @Test
  void cookieAffinityIssuesACookieAndLaterRequestsStickToItsBackend() throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    TestBackend c = backend("c");
    apply(
        new ClusterPolicy.LoadBalancer(
            Policy.COOKIE_AFFINITY, null, null, new ClusterPolicy.AffinityCookie("pc-route", 300, null)),
        a, b, c);
    HttpResponse<String> first = get("/cart", "theme=dark");
    String setCookie = first.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(setCookie.matches("pc-route=[0-9a-f]{12}; Path=/; Max-Age=300; HttpOnly"), setCookie);
    assertTrue(!setCookie.contains("127.0.0.1"));
    String home = first.body();
    String cookie = "theme=dark; " + setCookie.substring(0, setCookie.indexOf(';'));
    for (int i = 0; i < 15; i++) {
      HttpResponse<String> again = get("/cart", cookie);
      assertEquals(home, again.body());
      assertTrue(again.headers().firstValue("set-cookie").isEmpty(), "no new cookie for a valid one");
    }
    // Without the cookie round robin moves on; a stale or forged cookie gets a fresh one.
    HttpResponse<String> forged = get("/cart", "pc-route=000000000000");
    String reissued = forged.headers().firstValue("set-cookie").orElseThrow();
    assertTrue(reissued.startsWith("pc-route="), reissued);
    assertNotEquals("pc-route=000000000000", reissued.substring(0, reissued.indexOf(';')));
  }

  @Test
  void anEndpointOnlyChangeKeepsPooledConnectionsToSurvivorsAndClosesTheRemovedOnes()
      throws Exception {
    TestBackend a = backend("a");
    TestBackend b = backend("b");
    TestBackend c = backend("c");
    apply(ClusterPolicy.LoadBalancer.ROUND_ROBIN, a, b);
    get("/", null);
    get("/", null);
    assertEquals(1, a.connections.get());
    assertEquals(1, b.connections.get());
    RuntimeConfig before = config.current();
    apply(ClusterPolicy.LoadBalancer.ROUND_ROBIN, a, c);
    assertTrue(config.current().sharesRoutingIndexWith(before));
    await().atMost(Duration.ofSeconds(10)).until(() -> b.closedConnections.get() == 1);
    List<String> names = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      names.add(get("/", null).body());
    }
    assertEquals(2, names.stream().filter("a"::equals).count());
    assertEquals(2, names.stream().filter("c"::equals).count());
    assertEquals(1, a.connections.get(), "the survivor's pooled connection was reused");
    assertEquals(0, a.closedConnections.get());
    assertEquals(1, c.connections.get());
  }
}
