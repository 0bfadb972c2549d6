package io.portcullis.dataplane.config;

import io.portcullis.dataplane.http.RequestHead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.WeightedBackend;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RuntimeConfigRoutingTest {

  private static final List<Cluster> CLUSTERS =
      List.of(cluster("a"), cluster("b"), cluster("c"), cluster("fallback"));

  // ---------------------------------------------------------------- paths

  @Test
  void prefixFooMatchesFooItselfItsSlashAndItsChildren() {
    RuntimeConfig config = config(vhost("*", forward("foo", prefix("/foo"), "a")));
    assertEquals("foo", routeName(config, "x", "/foo"));
    assertEquals("foo", routeName(config, "x", "/foo/"));
    assertEquals("foo", routeName(config, "x", "/foo/bar"));
  }

  @Test
  void prefixFooDoesNotMatchFoobar() {
    RuntimeConfig config = config(vhost("*", forward("foo", prefix("/foo"), "a")));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "x", "/foobar"));
  }

  @Test
  void trailingSlashInAPrefixRuleIsIgnored() {
    RuntimeConfig config = config(vhost("*", forward("foo", prefix("/foo/"), "a")));
    assertEquals("foo", routeName(config, "x", "/foo"));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "x", "/foobar"));
  }

  @Test
  void rootPrefixMatchesEveryPath() {
    RuntimeConfig config = config(vhost("*", forward("root", prefix("/"), "a")));
    assertEquals("root", routeName(config, "x", "/"));
    assertEquals("root", routeName(config, "x", "/anything/at/all"));
  }

  @Test
  void exactMatchesOnlyTheWholePath() {
    RuntimeConfig config = config(vhost("*", forward("exact", exact("/login"), "a")));
    assertEquals("exact", routeName(config, "x", "/login"));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "x", "/login/"));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "x", "/login/x"));
  }

  @Test
  void theEarlierRouteInTheSnapshotWinsAmongMatches() {
    RuntimeConfig config =
        config(
            vhost(
                "*",
                forward("long", prefix("/api/v1"), "a"),
                forward("exact", exact("/api"), "b"),
                forward("short", prefix("/api"), "c")));
    assertEquals("long", routeName(config, "x", "/api/v1/users"));
    assertEquals("exact", routeName(config, "x", "/api"));
    assertEquals("short", routeName(config, "x", "/api/v2"));
  }

  @Test
  void regexMatchesTheWholePathOnly() {
    RuntimeConfig config =
        config(vhost("*", forward("re", new PathMatch.Regex("/items/[0-9]+"), "a")));
    assertEquals("re", routeName(config, "x", "/items/42"));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "x", "/items/42/edit"));
  }

  @Test
  void anInvalidRegexRejectsTheSnapshotNamingTheRoute() {
    Snapshot snapshot =
        Snapshot.of(
            List.of(vhost("*", forward("broken", new PathMatch.Regex("/a(b"), "a"))),
            CLUSTERS,
            null);
    ConfigRejectedException e =
        assertThrows(ConfigRejectedException.class, () -> RuntimeConfig.build(snapshot, null));
    assertEquals(List.of("route/broken"), e.resources());
  }

  @Test
  void dotSegmentsAreResolvedBeforeRoutingAndForwarding() {
    RuntimeConfig config =
        config(
            vhost(
                "*", forward("admin", prefix("/admin"), "a"), forward("public", prefix("/public"), "b")));
    RouteDecision.Forward f = forwardOf(config, "x", "/public/../admin/users");
    assertEquals("admin", f.route());
    assertEquals("/admin/users", f.pathAndQuery());
    assertEquals("admin", routeName(config, "x", "/public/%2e%2e/admin"));
    assertEquals("/", forwardOf(config(vhost("*", forward("r", prefix("/"), "a"))), "x", "/../..").pathAndQuery());
  }

  @Test
  void theQueryStringIsKeptAndNeverMatched() {
    RuntimeConfig config = config(vhost("*", forward("exact", exact("/search"), "a")));
    RouteDecision.Forward f =
        (RouteDecision.Forward) config.route(request("x", "/search", "q=1&x=/y", "GET", Map.of()));
    assertEquals("/search?q=1&x=/y", f.pathAndQuery());
  }

  // ---------------------------------------------------------------- hosts

  @Test
  void hostMatchingIgnoresCaseAndPort() {
    RuntimeConfig config = config(vhost("shop.example.com", forward("shop", prefix("/"), "a")));
    assertEquals("shop", routeName(config, "Shop.Example.COM:8080", "/"));
    assertEquals("shop", routeName(config, "shop.example.com.", "/"));
  }

  @Test
  void exactHostBeatsWildcardWhichBeatsHostless() {
    RuntimeConfig config =
        config(
            vhost("shop.example.com", forward("exact", prefix("/"), "a")),
            vhost("*.example.com", forward("wild", prefix("/"), "b")),
            vhost("*", forward("any", prefix("/"), "c")));
    assertEquals("exact", routeName(config, "shop.example.com", "/"));
    assertEquals("wild", routeName(config, "blog.example.com", "/"));
    assertEquals("any", routeName(config, "other.org", "/"));
    assertEquals("any", routeName(config, null, "/"));
  }

  @Test
  void wildcardMatchesExactlyOneExtraLabel() {
    RuntimeConfig config = config(vhost("*.example.com", forward("wild", prefix("/"), "a")));
    assertEquals("wild", routeName(config, "a.example.com", "/"));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "a.b.example.com", "/"));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "example.com", "/"));
  }

  @Test
  void aPathThatMissesInTheChosenHostDoesNotFallThroughToALessSpecificHost() {
    RuntimeConfig config =
        config(
            vhost("shop.example.com", forward("api", prefix("/api"), "a")),
            vhost("*", forward("any", prefix("/"), "b")));
    assertInstanceOf(RouteDecision.NotFound.class, decide(config, "shop.example.com", "/other"));
  }

  @Test
  void unmatchedRequestsGoToTheDefaultClusterWhenThereIsOne() {
    Snapshot snapshot =
        Snapshot.of(List.of(vhost("shop.example.com", forward("api", prefix("/api"), "a"))), CLUSTERS, "fallback");
    RuntimeConfig config = RuntimeConfig.build(snapshot, null);
    RouteDecision.Forward f = forwardOf(config, "shop.example.com", "/other");
    assertEquals(RuntimeConfig.DEFAULT_ROUTE, f.route());
    assertEquals("fallback", f.cluster().name());
    assertEquals("fallback", forwardOf(config, "unknown.org", "/").cluster().name());
  }

  // ---------------------------------------------------------------- headers and methods

  @Test
  void headerConditionsMustAllHold() {
    Route canary =
        new Route(
            "canary",
            new RouteMatch(
                new PathMatch.Prefix("/"),
                List.of(
                    new HeaderMatch("x-canary", HeaderMatch.Type.EXACT, "1"),
                    new HeaderMatch("user-agent", HeaderMatch.Type.PREFIX, "curl/"),
                    new HeaderMatch("x-debug", HeaderMatch.Type.PRESENT, null)),
                List.of()),
            RouteAction.Forward.to("b"),
            null,
            null);
    RuntimeConfig config = config(vhost("*", canary, forward("stable", prefix("/"), "a")));
    Map<String, String> all = Map.of("x-canary", "1", "user-agent", "curl/8.0", "x-debug", "");
    assertEquals("canary", name(config.route(request("x", "/", null, "GET", all))));
    Map<String, String> wrongValue = new HashMap<>(all);
    wrongValue.put("x-canary", "2");
    assertEquals("stable", name(config.route(request("x", "/", null, "GET", wrongValue))));
    Map<String, String> missing = new HashMap<>(all);
    missing.remove("x-debug");
    assertEquals("stable", name(config.route(request("x", "/", null, "GET", missing))));
  }

  @Test
  void methodConditionAcceptsAnyListedMethod() {
    Route reads =
        new Route(
            "reads",
            new RouteMatch(new PathMatch.Prefix("/"), List.of(), List.of("GET", "HEAD")),
            RouteAction.Forward.to("a"),
            null,
            null);
    RuntimeConfig config = config(vhost("*", reads));
    assertEquals("reads", name(config.route(request("x", "/", null, "HEAD", Map.of()))));
    assertInstanceOf(
        RouteDecision.NotFound.class, config.route(request("x", "/", null, "POST", Map.of())));
  }

  // ---------------------------------------------------------------- actions

  @Test
  void weightsSplitTrafficExactlyOverAWindow() {
    Route split =
        Route.of(
            "split",
            RouteMatch.path(new PathMatch.Prefix("/")),
            new RouteAction.Forward(
                List.of(new WeightedBackend("a", 3), new WeightedBackend("b", 1)), null, 0));
    RuntimeConfig config = config(vhost("*", split));
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 400; i++) {
      counts.merge(forwardOf(config, "x", "/").cluster().name(), 1, Integer::sum);
    }
    assertEquals(Map.of("a", 300, "b", 100), counts);
  }

  @Test
  void aZeroWeightBackendGetsNothing() {
    Route split =
        Route.of(
            "split",
            RouteMatch.path(new PathMatch.Prefix("/")),
            new RouteAction.Forward(
                List.of(new WeightedBackend("a", 1), new WeightedBackend("b", 0)), null, 0));
    RuntimeConfig config = config(vhost("*", split));
    for (int i = 0; i < 50; i++) {
      assertEquals("a", forwardOf(config, "x", "/").cluster().name());
    }
  }

  @Test
  void prefixRewriteReplacesTheMatchedPrefixAtASegmentBoundary() {
    PathMatch api = new PathMatch.Prefix("/api");
    assertEquals("/users", RuntimeConfig.rewrite(api, "/", "/api/users"));
    assertEquals("/", RuntimeConfig.rewrite(api, "/", "/api"));
    assertEquals("/", RuntimeConfig.rewrite(api, "/", "/api/"));
    assertEquals("/v2/users", RuntimeConfig.rewrite(api, "/v2", "/api/users"));
    assertEquals("/v2/users", RuntimeConfig.rewrite(api, "/v2/", "/api/users"));
    assertEquals("/v2", RuntimeConfig.rewrite(api, "/v2", "/api"));
    assertEquals("/app/x", RuntimeConfig.rewrite(new PathMatch.Prefix("/"), "/app", "/x"));
    assertEquals("/fixed", RuntimeConfig.rewrite(new PathMatch.Exact("/old"), "/fixed", "/old"));
  }

  @Test
  void forwardCarriesRewrittenPathHeaderChangesAndTimeout() {
    Route route =
        new Route(
            "api",
            RouteMatch.path(new PathMatch.Prefix("/api")),
            new RouteAction.Forward(List.of(new WeightedBackend("a", 1)), "/", 1500),
            new HeaderRewrite(Map.of("x-env", "prod"), List.of("x-debug")),
            new HeaderRewrite(Map.of("x-served-by", "portcullis"), List.of()));
    RouteDecision.Forward f = forwardOf(config(vhost("*", route)), "x", "/api/users");
    assertEquals("/users", f.pathAndQuery());
    assertEquals(0, f.filters().size()); // built without filters; chains are tested in StandardFiltersTest
    assertEquals(1500, f.timeoutMillis());
  }

  @Test
  void redirectKeepsWhatItDoesNotChange() {
    RouteAction.Redirect toHttps = new RouteAction.Redirect("https", null, 0, null, 308);
    Route route = Route.of("r", RouteMatch.path(new PathMatch.Prefix("/")), toHttps);
    RuntimeConfig config = config(vhost("*", route));
    RouteDecision.Redirect r =
        (RouteDecision.Redirect) config.route(request("Shop.example.com:8080", "/a/b", "x=1", "GET", Map.of()));
    assertEquals(308, r.status());
    assertEquals("https://shop.example.com/a/b?x=1", r.location());

    RouteAction.Redirect elsewhere = new RouteAction.Redirect(null, "new.example.com", 8443, "/landing", 302);
    RuntimeConfig other = config(vhost("*", Route.of("r", RouteMatch.path(new PathMatch.Prefix("/")), elsewhere)));
    RouteDecision.Redirect r2 = (RouteDecision.Redirect) other.route(request("old.example.com", "/a", null, "GET", Map.of()));
    assertEquals("http://new.example.com:8443/landing", r2.location());

    RouteAction.Redirect samePort = new RouteAction.Redirect(null, null, 0, "/moved", 301);
    RuntimeConfig third = config(vhost("*", Route.of("r", RouteMatch.path(new PathMatch.Prefix("/")), samePort)));
    RouteDecision.Redirect r3 = (RouteDecision.Redirect) third.route(request("h.example.com:8080", "/a", null, "GET", Map.of()));
    assertEquals("http://h.example.com:8080/moved", r3.location());
  }

  @Test
  void directResponseAnswersWithItsStatusAndBody() {
    Route route = Route.of("teapot", RouteMatch.path(new PathMatch.Exact("/tea")), new RouteAction.DirectResponse(418, "short and stout"));
    RouteDecision.Direct d = (RouteDecision.Direct) decide(config(vhost("*", route)), "x", "/tea");
    assertEquals(418, d.status());
    assertEquals("short and stout", d.body());
  }

  // ---------------------------------------------------------------- config swaps

  @Test
  void clustersKeepTheirInstanceAcrossEndpointOnlyChanges() {
    RuntimeConfig first = config(vhost("*", forward("r", prefix("/"), "a")));
    List<Cluster> changed = new ArrayList<>(CLUSTERS);
    changed.set(1, new Cluster("b", List.of(new Endpoint("127.0.0.9", 9))));
    Snapshot next = Snapshot.of(List.of(vhost("*", forward("r", prefix("/"), "a"))), changed, null);
    RuntimeConfig second = RuntimeConfig.build(next, first);
    assertSame(first.cluster("a"), second.cluster("a"));
    assertSame(first.cluster("b"), second.cluster("b"));
    assertEquals("127.0.0.9:9", second.cluster("b").pick().toString());
  }

  @Test
  void aPolicyChangeGivesTheClusterAFreshInstance() {
    RuntimeConfig first = config(vhost("*", forward("r", prefix("/"), "a")));
    List<Cluster> changed = new ArrayList<>(CLUSTERS);
    Cluster b = changed.get(1);
    changed.set(1, new Cluster("b", b.endpoints(),
        ClusterPolicy.DEFAULT.withProtocol(ClusterPolicy.Protocol.H2)));
    Snapshot next = Snapshot.of(List.of(vhost("*", forward("r", prefix("/"), "a"))), changed, null);
    RuntimeConfig second = RuntimeConfig.build(next, first);
    assertTrue(first.cluster("b") != second.cluster("b"));
  }

  @Test
  void lookupDoesNotDependOnOtherHostsRoutes() {
    List<VirtualHost> hosts = new ArrayList<>();
    List<Route> many = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      many.add(forward("r" + i, prefix("/p" + i), "a"));
    }
    hosts.add(vhost("big.example.com", many.toArray(Route[]::new)));
    RuntimeConfig config = RuntimeConfig.build(Snapshot.of(hosts, CLUSTERS, null), null);
    assertEquals("r1999", routeName(config, "big.example.com", "/p1999/x"));
    assertEquals("r0", routeName(config, "big.example.com", "/p0"));
  }

  // ---------------------------------------------------------------- fixtures

  private static Cluster cluster(String name) {
    return new Cluster(name, List.of(new Endpoint("127.0.0.1", 1000 + name.length())));
  }

  private static PathMatch prefix(String p) {
    return new PathMatch.Prefix(p);
  }

  private static PathMatch exact(String p) {
    return new PathMatch.Exact(p);
  }

  private static Route forward(String name, PathMatch path, String cluster) {
    return Route.of(name, RouteMatch.path(path), RouteAction.Forward.to(cluster));
  }

  private static VirtualHost vhost(String host, Route... routes) {
    return new VirtualHost(host, List.of(routes));
  }

  private static RuntimeConfig config(VirtualHost... hosts) {
    return RuntimeConfig.build(Snapshot.of(List.of(hosts), CLUSTERS, null), null);
  }

  private static RequestHead request(
      String host, String path, String query, String method, Map<String, String> headers) {
    return new RequestHead("http", host, path, query, method, headers::get);
  }

  private static RouteDecision decide(RuntimeConfig config, String host, String path) {
    return config.route(request(host, path, null, "GET", Map.of()));
  }

  private static RouteDecision.Forward forwardOf(RuntimeConfig config, String host, String path) {
    return assertInstanceOf(RouteDecision.Forward.class, decide(config, host, path));
  }

  private static String routeName(RuntimeConfig config, String host, String path) {
    return name(decide(config, host, path));
  }

  private static String name(RouteDecision decision) {
    if (decision instanceof RouteDecision.Forward f) {
      return f.route();
    }
    if (decision instanceof RouteDecision.Redirect r) {
      return r.route();
    }
    if (decision instanceof RouteDecision.Direct d) {
      return d.route();
    }
    return "404";
  }
}
