package io.portcullis.operator.compile;

import io.portcullis.operator.crd.PolicySpec;
import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.AffinityCookie;
import io.portcullis.snapshot.ClusterPolicy.CircuitBreakers;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import io.portcullis.snapshot.ClusterPolicy.HealthCheck;
import io.portcullis.snapshot.ClusterPolicy.LoadBalancer;
import io.portcullis.snapshot.ClusterPolicy.OutlierDetection;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.ClusterPolicy.StatusRange;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import io.portcullis.snapshot.Mirror;
import io.portcullis.snapshot.RetryPolicy;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.WeightedBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * ProxyRoute traffic policies: every cluster setting, retries, timeouts, mirror, upstream protocol
 * and TLS, as tables of "this spec in, this policy (or this condition) out".
 */
class TrafficPolicyCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String ROUTE = "proxyroute/default/shop/api/shop.example.com";
  static final String CA_PEM = TestCertificates.issue("ca.example.com").certificatePem();

  private static List<Object> services() {
    return List.of(backendWithEndpoints("default", "api", 80, "10.0.0.1"),
        backendWithEndpoints("default", "api-next", 80, "10.0.0.2"),
        backendWithEndpoints("default", "shadow", 80, "10.0.0.3"),
        caSecret("backend-ca", TestCertificates.b64(CA_PEM)));
  }

  static Secret caSecret(String name, String b64) {
    Secret s = secret("default", name, "Opaque");
    s.setData(b64 == null ? Map.of() : Map.of(CaBundles.CA_KEY, b64));
    return s;
  }

  private static Compiled compileRoute(Consumer<RouteFixture> configure, Object... more) {
    RouteFixture r = route("api").prefix("/").to("api", 80);
    configure.accept(r);
    return compile(proxyRoute("default", "shop").hosts(SHOP).route(r), services(), List.of(more));
  }

  private static RouteAction.Forward forward(Compiled c) {
    return (RouteAction.Forward) c.route(ROUTE).action();
  }

  private static Cluster apiCluster(Compiled c) {
    return c.cluster(forward(c).backends().get(0).cluster());
  }

  private static ProxyRouteSpec.Backend backend(RouteFixture r) {
    return r.spec.backends.get(0);
  }

  private static PolicySpec.LoadBalancer lb(String policy) {
    PolicySpec.LoadBalancer lb = new PolicySpec.LoadBalancer();
    lb.policy = policy;
    return lb;
  }

  private static PolicySpec.LoadBalancer maglev(Consumer<PolicySpec.HashOn> on) {
    PolicySpec.LoadBalancer lb = lb("Maglev");
    lb.hashOn = new PolicySpec.HashOn();
    on.accept(lb.hashOn);
    return lb;
  }

  private static PolicySpec.HealthCheck health(String path) {
    PolicySpec.HealthCheck h = new PolicySpec.HealthCheck();
    h.path = path;
    return h;
  }

  private static PolicySpec.Retries retries(int attempts, String... on) {
    PolicySpec.Retries r = new PolicySpec.Retries();
    r.attempts = attempts;
    r.on = on.length == 0 ? null : List.of(on);
    return r;
  }

  private static PolicySpec.Timeouts timeouts(RouteFixture r) {
    if (r.spec.timeouts == null) {
      r.spec.timeouts = new PolicySpec.Timeouts();
    }
    return r.spec.timeouts;
  }

  private static PolicySpec.BackendTls tls(String caSecret, String serverName, Boolean skip) {
    PolicySpec.BackendTls t = new PolicySpec.BackendTls();
    t.caSecret = caSecret;
    t.serverName = serverName;
    t.insecureSkipVerify = skip;
    return t;
  }

  private static ClusterPolicy policy(LoadBalancer lb) {
    return new ClusterPolicy(null, null, lb, 0, null, null, null, 0, null);
  }

  // ------------------------------------------------------------------ accepted settings

  static Stream<Arguments> clusterSettings() {
    return Stream.of(
        Arguments.of("least request on the route",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = lb("LeastRequest"),
            policy(LoadBalancer.of(Policy.LEAST_REQUEST))),
        Arguments.of("random on the route",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = lb("Random"),
            policy(LoadBalancer.of(Policy.RANDOM))),
        Arguments.of("maglev on a header, the name lower-cased",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = maglev(h -> h.header = "X-User"),
            policy(new LoadBalancer(Policy.MAGLEV, HashOn.HEADER, "x-user", null))),
        Arguments.of("maglev on a cookie",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = maglev(h -> h.cookie = "session"),
            policy(new LoadBalancer(Policy.MAGLEV, HashOn.COOKIE, "session", null))),
        Arguments.of("maglev on a query parameter",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = maglev(h -> h.queryParameter = "user"),
            policy(new LoadBalancer(Policy.MAGLEV, HashOn.QUERY_PARAMETER, "user", null))),
        Arguments.of("maglev on the client address",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = maglev(h -> h.clientAddress = true),
            policy(new LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, null))),
        Arguments.of("cookie affinity with name, ttl and path",
            (Consumer<RouteFixture>) r -> {
              r.spec.loadBalancer = lb("CookieAffinity");
              r.spec.loadBalancer.cookie = new PolicySpec.AffinityCookie();
              r.spec.loadBalancer.cookie.name = "sticky";
              r.spec.loadBalancer.cookie.ttl = "1h";
              r.spec.loadBalancer.cookie.path = "/shop";
            },
            policy(new LoadBalancer(Policy.COOKIE_AFFINITY, null, null, new AffinityCookie("sticky", 3600, "/shop")))),
        Arguments.of("cookie affinity without a cookie gets a session cookie with the default name",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = lb("CookieAffinity"),
            policy(new LoadBalancer(Policy.COOKIE_AFFINITY, null, null,
                new AffinityCookie(ClusterPolicies.DEFAULT_AFFINITY_COOKIE, 0, null)))),
        Arguments.of("slow start",
            (Consumer<RouteFixture>) r -> r.spec.slowStart = "30s",
            new ClusterPolicy(null, null, null, 30_000, null, null, null, 0, null)),
        Arguments.of("a health check with every field",
            (Consumer<RouteFixture>) r -> {
              PolicySpec.HealthCheck h = health("/healthz");
              h.host = "API.internal";
              h.interval = "5s";
              h.timeout = "500ms";
              h.healthyThreshold = 1;
              h.unhealthyThreshold = 4;
              h.expectedStatuses = List.of("404", "200-299");
              r.spec.healthCheck = h;
            },
            new ClusterPolicy(null, null, null, 0, new HealthCheck("/healthz", "api.internal", 5000, 500, 1, 4,
                List.of(new StatusRange(200, 299), new StatusRange(404, 404))), null, null, 0, null)),
        Arguments.of("a health check with only a path takes the documented defaults",
            (Consumer<RouteFixture>) r -> r.spec.healthCheck = health("/ready"),
            new ClusterPolicy(null, null, null, 0, new HealthCheck("/ready", null, 10_000, 2_000, 2, 3, List.of()),
                null, null, 0, null)),
        Arguments.of("outlier detection fields replace the defaults one by one",
            (Consumer<RouteFixture>) r -> {
              r.spec.outlierDetection = new PolicySpec.OutlierDetection();
              r.spec.outlierDetection.consecutive5xx = 3;
              r.spec.outlierDetection.baseEjectionTime = "10s";
              r.spec.outlierDetection.maxEjectionPercent = 30;
            },
            new ClusterPolicy(null, null, null, 0, null, new OutlierDetection(3, 5, 10_000, 300_000, 30), null, 0, null)),
        Arguments.of("circuit breaker fields replace the defaults one by one",
            (Consumer<RouteFixture>) r -> {
              r.spec.circuitBreakers = new PolicySpec.CircuitBreakers();
              r.spec.circuitBreakers.maxConnections = 10;
              r.spec.circuitBreakers.maxPendingRequests = 0;
              r.spec.circuitBreakers.retryBudgetPercent = 50;
            },
            new ClusterPolicy(null, null, null, 0, null, null, new CircuitBreakers(10, 0, 1024, 50, 3), 0, null)),
        Arguments.of("the connect timeout is a cluster setting",
            (Consumer<RouteFixture>) r -> timeouts(r).connect = "250ms",
            new ClusterPolicy(null, null, null, 0, null, null, null, 250, null)),
        Arguments.of("a backend's own load balancer replaces the route's",
            (Consumer<RouteFixture>) r -> {
              r.spec.loadBalancer = lb("Random");
              backend(r).loadBalancer = lb("LeastRequest");
            },
            policy(LoadBalancer.of(Policy.LEAST_REQUEST))),
        Arguments.of("a backend's own health check replaces the route's",
            (Consumer<RouteFixture>) r -> {
              r.spec.healthCheck = health("/route");
              backend(r).healthCheck = health("/backend");
              backend(r).slowStart = "1m";
            },
            new ClusterPolicy(null, null, null, 60_000, new HealthCheck("/backend", null, 10_000, 2_000, 2, 3, List.of()),
                null, null, 0, null)),
        Arguments.of("protocol h2c is HTTP/2 in plaintext",
            (Consumer<RouteFixture>) r -> backend(r).protocol = "h2c",
            new ClusterPolicy(Protocol.H2, null, null, 0, null, null, null, 0, null)),
        Arguments.of("protocol h2 is HTTP/2 over TLS with the default trust store",
            (Consumer<RouteFixture>) r -> backend(r).protocol = "h2",
            new ClusterPolicy(Protocol.H2, UpstreamRequest.DEFAULT_TRUST, null, 0, null, null, null, 0, null)),
        Arguments.of("protocol https is HTTP/1.1 over TLS",
            (Consumer<RouteFixture>) r -> backend(r).protocol = "https",
            new ClusterPolicy(null, UpstreamRequest.DEFAULT_TRUST, null, 0, null, null, null, 0, null)),
        Arguments.of("backend tls with a CA Secret and a server name verifies against that CA",
            (Consumer<RouteFixture>) r -> backend(r).tls = tls("backend-ca", "API.internal", null),
            new ClusterPolicy(null, new UpstreamTls("api.internal", CA_PEM, false), null, 0, null, null, null, 0, null)),
        Arguments.of("backend tls may skip verification when it says so",
            (Consumer<RouteFixture>) r -> {
              backend(r).protocol = "h2";
              backend(r).tls = tls(null, null, true);
            },
            new ClusterPolicy(Protocol.H2, new UpstreamTls(null, null, true), null, 0, null, null, null, 0, null)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("clusterSettings")
  void clusterSetting(String situation, Consumer<RouteFixture> configure, ClusterPolicy expected) {
    Compiled c = compileRoute(configure);
    assertAllGood(c.proxyRouteStatus("default", "shop"));
    Cluster cluster = apiCluster(c);
    assertEquals(expected, cluster.policy());
    assertEquals(BackendResolver.clusterName("default/api:80", expected), cluster.name());
    assertTrue(cluster.name().matches("default/api:80/[0-9a-f]{8}"), cluster.name());
    assertEquals(List.of("10.0.0.1:8080"), c.endpoints(cluster.name()));
  }

  // ------------------------------------------------------------------ rejected settings

  static Stream<Arguments> invalidSettings() {
    return Stream.of(
        Arguments.of("an unknown policy",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = lb("Fastest"),
            Reasons.INVALID_ROUTE, "loadBalancer.policy: unknown policy 'Fastest'"),
        Arguments.of("Maglev without hashOn",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = lb("Maglev"),
            Reasons.INVALID_ROUTE, "loadBalancer: policy Maglev needs hashOn"),
        Arguments.of("hashOn with two keys",
            (Consumer<RouteFixture>) r -> r.spec.loadBalancer = maglev(h -> {
              h.header = "x-user";
              h.cookie = "session";
            }),
            Reasons.INVALID_ROUTE, "loadBalancer.hashOn needs exactly one of"),
        Arguments.of("hashOn on a policy that does not hash",
            (Consumer<RouteFixture>) r -> {
              r.spec.loadBalancer = lb("RoundRobin");
              r.spec.loadBalancer.hashOn = new PolicySpec.HashOn();
            },
            Reasons.INVALID_ROUTE, "loadBalancer.hashOn applies only to policy Maglev"),
        Arguments.of("a backend's unknown policy names the backend",
            (Consumer<RouteFixture>) r -> backend(r).loadBalancer = lb("roundrobin"),
            Reasons.INVALID_ROUTE, "backend api:80: loadBalancer.policy: unknown policy 'roundrobin'"),
        Arguments.of("a bad slow start duration",
            (Consumer<RouteFixture>) r -> r.spec.slowStart = "30 seconds",
            Reasons.INVALID_ROUTE, "slowStart: '30 seconds' is not a duration"),
        Arguments.of("a bad request timeout",
            (Consumer<RouteFixture>) r -> timeouts(r).request = "-1s",
            Reasons.INVALID_ROUTE, "timeouts.request: '-1s' is not a duration"),
        Arguments.of("a bad per-try timeout",
            (Consumer<RouteFixture>) r -> timeouts(r).perTry = "1d",
            Reasons.INVALID_ROUTE, "timeouts.perTry: '1d' is not a duration"),
        Arguments.of("a health check path that is not absolute",
            (Consumer<RouteFixture>) r -> r.spec.healthCheck = health("healthz"),
            Reasons.INVALID_ROUTE, "healthCheck.path must be an absolute path"),
        Arguments.of("an expected status that is not a status",
            (Consumer<RouteFixture>) r -> {
              r.spec.healthCheck = health("/healthz");
              r.spec.healthCheck.expectedStatuses = List.of("2xx");
            },
            Reasons.INVALID_ROUTE, "healthCheck.expectedStatuses: '2xx' is not a status"),
        Arguments.of("an expected status range the wrong way round",
            (Consumer<RouteFixture>) r -> {
              r.spec.healthCheck = health("/healthz");
              r.spec.healthCheck.expectedStatuses = List.of("299-200");
            },
            Reasons.INVALID_ROUTE, "healthCheck.expectedStatuses: bad status range 299-200"),
        Arguments.of("a health check threshold of 0",
            (Consumer<RouteFixture>) r -> {
              r.spec.healthCheck = health("/healthz");
              r.spec.healthCheck.unhealthyThreshold = 0;
            },
            Reasons.INVALID_ROUTE, "healthCheck.unhealthyThreshold must be 1 to 100"),
        Arguments.of("a maximum ejection time below the base",
            (Consumer<RouteFixture>) r -> {
              r.spec.outlierDetection = new PolicySpec.OutlierDetection();
              r.spec.outlierDetection.baseEjectionTime = "1m";
              r.spec.outlierDetection.maxEjectionTime = "10s";
            },
            Reasons.INVALID_ROUTE, "outlierDetection.maxEjectionTime must not be below baseEjectionTime"),
        Arguments.of("a circuit breaker allowing no connection",
            (Consumer<RouteFixture>) r -> {
              r.spec.circuitBreakers = new PolicySpec.CircuitBreakers();
              r.spec.circuitBreakers.maxConnections = 0;
            },
            Reasons.INVALID_ROUTE, "circuitBreakers.maxConnections must be at least 1"),
        Arguments.of("an unknown retry condition",
            (Consumer<RouteFixture>) r -> r.spec.retries = retries(2, "5xx"),
            Reasons.INVALID_ROUTE, "retries.on: unknown condition '5xx'"),
        Arguments.of("too many retry attempts",
            (Consumer<RouteFixture>) r -> r.spec.retries = retries(11),
            Reasons.INVALID_ROUTE, "retries.attempts must be 0 to 10"),
        Arguments.of("a back-off maximum below its base",
            (Consumer<RouteFixture>) r -> {
              r.spec.retries = retries(2);
              r.spec.retries.backoff = new PolicySpec.Backoff();
              r.spec.retries.backoff.base = "1s";
              r.spec.retries.backoff.max = "100ms";
            },
            Reasons.INVALID_ROUTE, "retries.backoff.max must not be below retries.backoff.base"),
        Arguments.of("an unknown backend protocol",
            (Consumer<RouteFixture>) r -> backend(r).protocol = "grpc",
            Reasons.INVALID_ROUTE, "backend api:80: unknown protocol 'grpc'"),
        Arguments.of("h2c with tls",
            (Consumer<RouteFixture>) r -> {
              backend(r).protocol = "h2c";
              backend(r).tls = tls(null, null, true);
            },
            Reasons.INVALID_ROUTE, "protocol h2c is plaintext and excludes tls"),
        Arguments.of("a CA Secret together with insecureSkipVerify",
            (Consumer<RouteFixture>) r -> backend(r).tls = tls("backend-ca", null, true),
            Reasons.INVALID_ROUTE, "tls.caSecret and tls.insecureSkipVerify exclude each other"),
        Arguments.of("a missing CA Secret",
            (Consumer<RouteFixture>) r -> backend(r).tls = tls("missing-ca", null, null),
            Reasons.INVALID_CA_SECRET, "backend api:80: tls.caSecret: CA Secret default/missing-ca not found"),
        Arguments.of("a CA Secret without ca.crt",
            (Consumer<RouteFixture>) r -> backend(r).tls = tls("empty-ca", null, null),
            Reasons.INVALID_CA_SECRET, "CA Secret default/empty-ca has no ca.crt"),
        Arguments.of("a CA Secret with garbage PEM",
            (Consumer<RouteFixture>) r -> backend(r).tls = tls("garbage-ca", null, null),
            Reasons.INVALID_CA_SECRET, "CA Secret default/garbage-ca: ca.crt"),
        Arguments.of("a mirror percent of 0",
            (Consumer<RouteFixture>) r -> {
              r.spec.mirror = new PolicySpec.Mirror();
              r.spec.mirror.service = "shadow";
              r.spec.mirror.port = 80;
              r.spec.mirror.percent = 0;
            },
            Reasons.INVALID_ROUTE, "mirror.percent must be 1 to 100"),
        Arguments.of("retries on a redirect",
            (Consumer<RouteFixture>) r -> {
              r.spec.backends = null;
              r.redirect("https", null, null);
              r.spec.retries = retries(1);
            },
            Reasons.INVALID_ROUTE, "apply only to routes with backends"));
  }

  @ParameterizedTest(name = "{0} rejects that route, naming the field")
  @MethodSource("invalidSettings")
  void invalidSetting(String situation, Consumer<RouteFixture> configure, String reason, String message) {
    RouteFixture bad = route("api").prefix("/").to("api", 80);
    configure.accept(bad);
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
            .route(bad).route(route("other").prefix("/other").to("api-next", 80)),
        services(), caSecret("empty-ca", null),
        caSecret("garbage-ca", TestCertificates.b64("-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n")));
    ObjectStatus status = c.proxyRouteStatus("default", "shop");
    assertCondition(status, Reasons.ACCEPTED, false, reason, message);
    assertTrue(condition(status, Reasons.ACCEPTED).message().startsWith("route api: "),
        () -> "names the route: " + condition(status, Reasons.ACCEPTED).message());
    assertEquals(reason, warning(status, reason).reason());
    assertFalse(c.hasRoute(ROUTE));
    assertTrue(c.hasRoute("proxyroute/default/shop/other/shop.example.com"), "the other route still serves");
  }

  // ------------------------------------------------------------------ route-level settings

  @Test
  @DisplayName("retries with every field, and the per-try timeout, compile to the route's retry policy")
  void retriesInFull() {
    Compiled c = compileRoute(r -> {
      r.spec.retries = retries(2, "503", "connect-failure");
      r.spec.retries.nonIdempotent = true;
      r.spec.retries.backoff = new PolicySpec.Backoff();
      r.spec.retries.backoff.base = "10ms";
      r.spec.retries.backoff.max = "100ms";
      timeouts(r).perTry = "500ms";
      timeouts(r).request = "15s";
      timeouts(r).idle = "1m";
    });
    RouteAction.Forward f = forward(c);
    assertEquals(new RetryPolicy(2, List.of("503", "connect-failure"), true, 500, 10, 100), f.retries());
    assertEquals(15_000, f.timeoutMillis());
    assertEquals(60_000, f.idleTimeoutMillis());
    assertEquals("default/api:80", f.backends().get(0).cluster(), "route settings leave the cluster alone");
  }

  @Test
  @DisplayName("retries without 'on' retry connect failures, resets, 502, 503 and 504 with the default back-off")
  void retriesDefaults() {
    RouteAction.Forward f = forward(compileRoute(r -> r.spec.retries = retries(3)));
    assertEquals(new RetryPolicy(3, ClusterPolicies.DEFAULT_RETRY_ON, false, 0,
        RetryPolicy.DEFAULT.backoffBaseMillis(), RetryPolicy.DEFAULT.backoffMaxMillis()), f.retries());
  }

  @Test
  @DisplayName("a per-try timeout alone keeps the default retries and adds the timeout")
  void perTryAlone() {
    RouteAction.Forward f = forward(compileRoute(r -> timeouts(r).perTry = "2s"));
    RetryPolicy d = RetryPolicy.DEFAULT;
    assertEquals(new RetryPolicy(d.attempts(), d.on(), false, 2000, d.backoffBaseMillis(), d.backoffMaxMillis()),
        f.retries());
  }

  @Test
  @DisplayName("a route without policies compiles exactly as before: plain cluster name, no retries, no mirror")
  void noPoliciesNoChange() {
    Compiled c = compileRoute(r -> {});
    assertEquals(RouteAction.Forward.to("default/api:80"), forward(c));
    assertNull(c.cluster("default/api:80").policy());
  }

  @Test
  @DisplayName("a mirror copies a share of requests to its own cluster, which the snapshot carries")
  void mirror() {
    Compiled c = compileRoute(r -> {
      r.spec.mirror = new PolicySpec.Mirror();
      r.spec.mirror.service = "shadow";
      r.spec.mirror.port = 80;
      r.spec.mirror.percent = 10;
    });
    assertEquals(new Mirror("default/shadow:80", 10), forward(c).mirror());
    assertEquals(List.of("10.0.0.3:8080"), c.endpoints("default/shadow:80"));
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("a mirror to a missing Service keeps the route and says so in ResolvedRefs")
  void mirrorMissing() {
    Compiled c = compileRoute(r -> {
      r.spec.mirror = new PolicySpec.Mirror();
      r.spec.mirror.service = "ghost";
      r.spec.mirror.port = 80;
    });
    assertEquals(new Mirror("default/ghost:80", 100), forward(c).mirror());
    assertTrue(c.endpoints("default/ghost:80").isEmpty());
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.RESOLVED_REFS, false,
        Reasons.SERVICE_NOT_FOUND, "mirror: Service default/ghost not found");
  }

  @Test
  @DisplayName("a 99/1 canary split compiles to weights 99 and 1")
  void canarySplit() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(route("api").prefix("/").backend("api", 80, 99).backend("api-next", 80, 1)), services());
    assertEquals(List.of(new WeightedBackend("default/api-next:80", 1), new WeightedBackend("default/api:80", 99)),
        forward(c).backends());
  }

  // ------------------------------------------------------------------ one cluster per policy

  @Test
  @DisplayName("two routes with the same policy share one cluster; a different policy gets its own")
  void clusterPerPolicy() {
    RouteFixture a = route("a").prefix("/a").to("api", 80);
    a.spec.loadBalancer = lb("LeastRequest");
    RouteFixture b = route("b").prefix("/b").to("api", 80);
    b.spec.loadBalancer = lb("LeastRequest");
    RouteFixture r = route("r").prefix("/r").to("api", 80);
    r.spec.loadBalancer = lb("Random");
    RouteFixture plain = route("plain").prefix("/").to("api", 80);
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP).route(a).route(b).route(r).route(plain),
        services());
    String ca = ((RouteAction.Forward) c.route("proxyroute/default/shop/a/shop.example.com").action()).backends().get(0).cluster();
    String cb = ((RouteAction.Forward) c.route("proxyroute/default/shop/b/shop.example.com").action()).backends().get(0).cluster();
    String cr = ((RouteAction.Forward) c.route("proxyroute/default/shop/r/shop.example.com").action()).backends().get(0).cluster();
    assertEquals(ca, cb);
    assertNotEquals(ca, cr);
    List<String> apiClusters = new ArrayList<>();
    c.snapshot().clusters().forEach(cl -> {
      if (cl.name().startsWith("default/api:80")) {
        apiClusters.add(cl.name());
      }
    });
    assertEquals(3, apiClusters.size(), () -> "plain, least request, random: " + apiClusters);
    assertTrue(apiClusters.contains("default/api:80"));
  }

  // ------------------------------------------------------------------ the Service port's appProtocol

  private static Compiled withAppProtocol(String appProtocol, Consumer<RouteFixture> configure) {
    io.fabric8.kubernetes.api.model.Service svc = service("default", "grpc").port("grpc", 80).build();
    svc.getSpec().getPorts().get(0).setAppProtocol(appProtocol);
    RouteFixture r = route("api").prefix("/").to("grpc", 80);
    configure.accept(r);
    return compile(proxyRoute("default", "shop").hosts(SHOP).route(r), svc,
        slice("default", "grpc").port("grpc", 9000).ready("10.0.0.9"), services());
  }

  static Stream<Arguments> appProtocols() {
    return Stream.of(
        Arguments.of("kubernetes.io/h2c", null, new ClusterPolicy(Protocol.H2, null, null, 0, null, null, null, 0, null)),
        Arguments.of("kubernetes.io/h2", null,
            new ClusterPolicy(Protocol.H2, UpstreamRequest.DEFAULT_TRUST, null, 0, null, null, null, 0, null)),
        Arguments.of("https", null,
            new ClusterPolicy(null, UpstreamRequest.DEFAULT_TRUST, null, 0, null, null, null, 0, null)),
        Arguments.of("https", "backend-ca",
            new ClusterPolicy(null, new UpstreamTls(null, CA_PEM, false), null, 0, null, null, null, 0, null)),
        Arguments.of("http", null, null),
        Arguments.of("kubernetes.io/ws", null, null));
  }

  @ParameterizedTest(name = "appProtocol {0} (CA Secret {1})")
  @MethodSource("appProtocols")
  void appProtocol(String appProtocol, String caSecret, ClusterPolicy expected) {
    Compiled c = withAppProtocol(appProtocol, r -> {
      if (caSecret != null) {
        backend(r).tls = tls(caSecret, null, null);
      }
    });
    Cluster cluster = apiCluster(c);
    assertEquals(expected, cluster.policy());
    assertEquals(BackendResolver.clusterName("default/grpc:80", expected), cluster.name());
    assertEquals(List.of("10.0.0.9:9000"), c.endpoints(cluster.name()));
  }

  @Test
  @DisplayName("a route's protocol http1 overrides an h2c Service port and keeps the plain cluster name")
  void protocolOverridesAppProtocol() {
    Compiled c = withAppProtocol("kubernetes.io/h2c", r -> backend(r).protocol = "http1");
    assertEquals("default/grpc:80", apiCluster(c).name());
    assertNull(apiCluster(c).policy());
  }
}
