package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.WeightedBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** ProxyRoute, first cut: matches, actions, and every rejection with its condition. */
class ProxyRouteCompileTest {
  private static final String SHOP = "shop.example.com";

  private static List<Object> api() {
    return List.of(backendWithEndpoints("default", "api", 80, "10.0.0.1"),
        backendWithEndpoints("default", "api-next", 80, "10.0.0.2"));
  }

  private static Compiled one(Fixtures.RouteFixture route) {
    return compile(proxyRoute("default", "shop").hosts(SHOP).route(route), api());
  }

  private static ObjectStatus shopStatus(Compiled c) {
    return c.proxyRouteStatus("default", "shop");
  }

  @Test
  @DisplayName("a prefix route forwards to its Service and is Accepted with ResolvedRefs")
  void simpleForward() {
    Compiled c = one(route("api").prefix("/api").to("api", 80));
    Route r = c.route("proxyroute/default/shop/api/shop.example.com");
    assertEquals(new PathMatch.Prefix("/api"), r.match().path());
    assertEquals(RouteAction.Forward.to("default/api:80"), r.action());
    assertAllGood(shopStatus(c));
    assertEquals(List.of("proxyroute/default/shop/api/shop.example.com"), shopStatus(c).routeNames());
  }

  @Test
  @DisplayName("a route without a name is named by its index")
  void unnamedRouteUsesIndex() {
    Compiled c = one(route().prefix("/").to("api", 80));
    assertTrue(c.hasRoute("proxyroute/default/shop/0/shop.example.com"));
  }

  @Test
  @DisplayName("a route without a match serves every path")
  void noMatchIsEverything() {
    Compiled c = one(route("all").to("api", 80));
    assertEquals(new PathMatch.Prefix("/"), c.route("proxyroute/default/shop/all/shop.example.com").match().path());
  }

  @Test
  @DisplayName("every host of a ProxyRoute gets its own copy of each route")
  void routePerHost() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP, "*.shop.example.com")
        .route(route("api").prefix("/api").to("api", 80)), api());
    assertEquals(List.of("*.shop.example.com", SHOP), c.hosts());
    assertEquals(2, shopStatus(c).routeNames().size());
  }

  @Test
  @DisplayName("exact and regex path matches compile as such")
  void exactAndRegex() {
    Compiled c = one(route("r").regex("/item/[0-9]+").to("api", 80));
    assertEquals(new PathMatch.Regex("/item/[0-9]+"), c.route("proxyroute/default/shop/r/shop.example.com").match().path());
    Compiled e = one(route("e").exact("/login").to("api", 80));
    assertEquals(new PathMatch.Exact("/login"), e.route("proxyroute/default/shop/e/shop.example.com").match().path());
  }

  @Test
  @DisplayName("header matches (exact, prefix, present) and methods compile, names lower-cased")
  void headersAndMethods() {
    Compiled c = one(route("canary").prefix("/").headerExact("X-Canary", "1").headerPrefix("user-agent", "curl/")
        .headerPresent("authorization").methods("get", "POST").to("api", 80));
    Route r = c.route("proxyroute/default/shop/canary/shop.example.com");
    assertEquals(List.of(
        new HeaderMatch("authorization", HeaderMatch.Type.PRESENT, null),
        new HeaderMatch("user-agent", HeaderMatch.Type.PREFIX, "curl/"),
        new HeaderMatch("x-canary", HeaderMatch.Type.EXACT, "1")), r.match().headers());
    assertEquals(List.of("GET", "POST"), r.match().methods());
  }

  @Test
  @DisplayName("weighted backends become weighted clusters")
  void weighted() {
    Compiled c = one(route("w").prefix("/").backend("api", 80, 90).backend("api-next", 80, 10));
    RouteAction.Forward f = (RouteAction.Forward) c.route("proxyroute/default/shop/w/shop.example.com").action();
    assertEquals(List.of(new WeightedBackend("default/api-next:80", 10), new WeightedBackend("default/api:80", 90)), f.backends());
  }

  @Test
  @DisplayName("a backend with weight 0 takes no traffic but is kept")
  void weightZeroKept() {
    Compiled c = one(route("w").prefix("/").backend("api", 80, 1).backend("api-next", 80, 0));
    RouteAction.Forward f = (RouteAction.Forward) c.route("proxyroute/default/shop/w/shop.example.com").action();
    assertEquals(2, f.backends().size());
  }

  @Test
  @DisplayName("request timeout, prefix rewrite and header changes are carried")
  void forwardExtras() {
    Compiled c = one(route("x").prefix("/api").to("api", 80).requestTimeout("15s").rewritePrefix("/")
        .setRequestHeader("X-Env", "prod").removeRequestHeader("X-Debug").setResponseHeader("Cache-Control", "no-store"));
    Route r = c.route("proxyroute/default/shop/x/shop.example.com");
    assertEquals(new RouteAction.Forward(List.of(new WeightedBackend("default/api:80", 1)), "/", 15_000), r.action());
    assertEquals(Map.of("x-env", "prod"), r.requestHeaders().set());
    assertEquals(List.of("x-debug"), r.requestHeaders().remove());
    assertEquals(Map.of("cache-control", "no-store"), r.responseHeaders().set());
  }

  @Test
  @DisplayName("a redirect route compiles with 302 by default")
  void redirect() {
    Compiled c = one(route("go").prefix("/old").redirect("https", "new.example.com", null));
    assertEquals(new RouteAction.Redirect("https", "new.example.com", 0, null, 302),
        c.route("proxyroute/default/shop/go/shop.example.com").action());
    assertTrue(c.snapshot().clusters().isEmpty());
  }

  @Test
  @DisplayName("a direct response route compiles")
  void directResponse() {
    Compiled c = one(route("teapot").exact("/tea").directResponse(418, "short and stout"));
    assertEquals(new RouteAction.DirectResponse(418, "short and stout"),
        c.route("proxyroute/default/shop/teapot/shop.example.com").action());
  }

  @Test
  @DisplayName("a route with headers comes before the same path without")
  void headersRankFirst() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(route("plain").prefix("/api").to("api", 80))
        .route(route("canary").prefix("/api").headerExact("x-canary", "1").to("api-next", 80)), api());
    assertEquals(List.of("proxyroute/default/shop/canary/shop.example.com", "proxyroute/default/shop/plain/shop.example.com"),
        c.routeNames(SHOP));
  }

  @Test
  @DisplayName("a longer prefix comes before a shorter regex, and a longer regex before a shorter prefix")
  void regexRanksByLength() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(route("short-regex").regex("/a.*").to("api", 80))
        .route(route("long-prefix").prefix("/abcdef").to("api", 80))
        .route(route("long-regex").regex("/items/[0-9]+").to("api", 80))
        .route(route("root").prefix("/").to("api", 80)), api());
    assertEquals(List.of(
        "proxyroute/default/shop/long-regex/shop.example.com",
        "proxyroute/default/shop/long-prefix/shop.example.com",
        "proxyroute/default/shop/short-regex/shop.example.com",
        "proxyroute/default/shop/root/shop.example.com"), c.routeNames(SHOP));
  }

  @Test
  @DisplayName("a route limited to methods comes before the same path for every method")
  void methodsRankFirst() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(route("any").prefix("/api").to("api", 80))
        .route(route("post").prefix("/api").methods("POST").to("api-next", 80)), api());
    assertEquals(List.of("proxyroute/default/shop/post/shop.example.com", "proxyroute/default/shop/any/shop.example.com"),
        c.routeNames(SHOP));
  }

  @Test
  @DisplayName("same path with different header matches is no conflict")
  void differentHeadersNoConflict() {
    Compiled c = compile(
        proxyRoute("default", "a").created(OLD).hosts(SHOP).route(route("r").prefix("/").headerExact("x-v", "1").to("api", 80)),
        proxyRoute("default", "b").created(NEW).hosts(SHOP).route(route("r").prefix("/").headerExact("x-v", "2").to("api", 80)),
        api());
    assertEquals(2, c.routeNames(SHOP).size());
  }

  @Test
  @DisplayName("a ProxyRoute on a path an older Ingress serves loses with HostConflict naming the Ingress")
  void conflictWithIngress() {
    Compiled c = compile(
        ingress("default", "old").created(OLD).host(SHOP).prefix("/api", "api", 80),
        proxyRoute("default", "shop").created(NEW).hosts(SHOP)
            .route(route("api").prefix("/api").to("api", 80))
            .route(route("web").prefix("/web").to("api", 80)),
        api());
    // Both paths have length 4: the tie goes by namespace/name (default/old before default/shop).
    assertEquals(List.of("ingress/default/old/shop.example.com/api", "proxyroute/default/shop/web/shop.example.com"), c.routeNames(SHOP));
    assertCondition(shopStatus(c), Reasons.ACCEPTED, false, Reasons.HOST_CONFLICT, "Ingress default/old");
    warning(shopStatus(c), Reasons.HOST_CONFLICT);
  }

  @Test
  @DisplayName("an older ProxyRoute beats a newer Ingress on the same path")
  void olderProxyRouteWins() {
    Compiled c = compile(
        ingress("default", "new").created(NEW).host(SHOP).prefix("/api", "api", 80),
        proxyRoute("default", "shop").created(OLD).hosts(SHOP).route(route("api").prefix("/api").to("api", 80)),
        api());
    assertEquals(List.of("proxyroute/default/shop/api/shop.example.com"), c.routeNames(SHOP));
    assertCondition(c.ingressStatus("default", "new"), Reasons.ACCEPTED, false, Reasons.HOST_CONFLICT, "ProxyRoute default/shop");
  }

  @Test
  @DisplayName("a ProxyRoute of another class is ignored; one without class is ours")
  void classSelection() {
    Compiled c = compile(
        proxyRoute("default", "theirs").className("nginx").hosts("a.example.com").route(route("r").to("api", 80)),
        proxyRoute("default", "ours").hosts("b.example.com").route(route("r").to("api", 80)),
        proxyRoute("default", "named").className("portcullis").hosts("c.example.com").route(route("r").to("api", 80)),
        api());
    assertEquals(List.of("b.example.com", "c.example.com"), c.hosts());
    assertEquals(List.of("ProxyRoute default/named", "ProxyRoute default/ours"), c.statusObjects());
  }

  @Test
  @DisplayName("a missing backend Service keeps the route and sets ResolvedRefs False ServiceNotFound")
  void missingBackend() {
    Compiled c = one(route("r").prefix("/").backend("api", 80, 50).backend("ghost", 80, 50));
    assertTrue(c.hasRoute("proxyroute/default/shop/r/shop.example.com"));
    assertCondition(shopStatus(c), Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
    assertCondition(shopStatus(c), Reasons.RESOLVED_REFS, false, Reasons.SERVICE_NOT_FOUND, "default/ghost");
  }

  @Test
  @DisplayName("a missing backend port says PortNotFound")
  void missingBackendPort() {
    Compiled c = one(route("r").prefix("/").to("api", 81));
    assertCondition(shopStatus(c), Reasons.RESOLVED_REFS, false, Reasons.PORT_NOT_FOUND, "port 81");
  }

  @Test
  @DisplayName("a ProxyRoute TLS section naming a missing Secret gets a warning")
  void tlsMissing() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP).tls("nope").route(route("r").to("api", 80)), api());
    warning(shopStatus(c), Reasons.INVALID_TLS_SECRET);
    assertCondition(shopStatus(c), Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
  }

  // ------------------------------------------------------------------ rejections

  private static void assertRejectedAlone(Fixtures.RouteFixture bad, String messagePart) {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(bad).route(route("good").prefix("/good").to("api", 80)), api());
    assertEquals(List.of("proxyroute/default/shop/good/shop.example.com"), c.routeNames(SHOP),
        "the invalid route is dropped alone");
    assertCondition(shopStatus(c), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, messagePart);
    warning(shopStatus(c), Reasons.INVALID_ROUTE);
  }

  @Test
  @DisplayName("an invalid regex rejects only its own route")
  void invalidRegex() {
    assertRejectedAlone(route("bad").regex("/a(b").to("api", 80), "invalid path regex");
  }

  @Test
  @DisplayName("a path with both prefix and exact is rejected")
  void twoPathKinds() {
    assertRejectedAlone(route("bad").prefix("/a").exact("/a").to("api", 80), "exactly one of exact, prefix or regex");
  }

  @Test
  @DisplayName("a route with backends and a redirect is rejected")
  void twoActions() {
    assertRejectedAlone(route("bad").prefix("/a").to("api", 80).redirect("https", null, 301), "exactly one of backends");
  }

  @Test
  @DisplayName("a route with no action is rejected")
  void noAction() {
    assertRejectedAlone(route("bad").prefix("/a"), "exactly one of backends");
  }

  @Test
  @DisplayName("an unknown method is rejected")
  void unknownMethod() {
    assertRejectedAlone(route("bad").prefix("/a").methods("FETCH").to("api", 80), "FETCH");
  }

  @Test
  @DisplayName("a header match with two kinds is rejected")
  void headerTwoKinds() {
    assertRejectedAlone(route("bad").prefix("/a").header("x", "1", "2", null).to("api", 80), "exactly one of exact, prefix, regex or present");
  }

  @Test
  @DisplayName("a header match with present: false is rejected")
  void headerPresentFalse() {
    assertRejectedAlone(route("bad").prefix("/a").header("x", null, null, false).to("api", 80), "present: false");
  }

  @Test
  @DisplayName("a header match with an invalid name is rejected")
  void headerBadName() {
    assertRejectedAlone(route("bad").prefix("/a").headerExact("bad name", "1").to("api", 80), "header name");
  }

  @Test
  @DisplayName("all backend weights 0 is rejected")
  void allWeightsZero() {
    assertRejectedAlone(route("bad").prefix("/a").backend("api", 80, 0), "weight above 0");
  }

  @Test
  @DisplayName("a weight above 1,000,000 is rejected")
  void weightTooBig() {
    assertRejectedAlone(route("bad").prefix("/a").backend("api", 80, 1_000_001), "weight");
  }

  @Test
  @DisplayName("a backend port out of range is rejected")
  void badPort() {
    assertRejectedAlone(route("bad").prefix("/a").backend("api", 70000, 1), "1 to 65535");
  }

  @Test
  @DisplayName("a backend without service is rejected")
  void backendNoService() {
    assertRejectedAlone(route("bad").prefix("/a").backend(null, 80, 1), "needs a service");
  }

  @Test
  @DisplayName("the same backend listed twice is rejected")
  void duplicateBackend() {
    assertRejectedAlone(route("bad").prefix("/a").to("api", 80).to("api", 80), "listed twice");
  }

  @Test
  @DisplayName("an unparsable request timeout is rejected")
  void badTimeout() {
    assertRejectedAlone(route("bad").prefix("/a").to("api", 80).requestTimeout("soon"), "timeouts");
  }

  @Test
  @DisplayName("a prefix rewrite on a regex route is rejected")
  void rewriteOnRegex() {
    assertRejectedAlone(route("bad").regex("/a.*").to("api", 80).rewritePrefix("/"), "rewrite.pathPrefix");
  }

  @Test
  @DisplayName("a redirect with an invalid status code is rejected")
  void redirectBadStatus() {
    assertRejectedAlone(route("bad").prefix("/a").redirect("https", null, 200), "301/302/303/307/308");
  }

  @Test
  @DisplayName("a redirect with an unknown scheme is rejected")
  void redirectBadScheme() {
    assertRejectedAlone(route("bad").prefix("/a").redirect("ftp", null, 301), "scheme");
  }

  @Test
  @DisplayName("a direct response with status 100 is rejected")
  void directBadStatus() {
    assertRejectedAlone(route("bad").prefix("/a").directResponse(100, "x"), "status");
  }

  @Test
  @DisplayName("a direct response body over 64 KiB is rejected")
  void directBodyTooBig() {
    assertRejectedAlone(route("bad").prefix("/a").directResponse(200, "x".repeat(64 * 1024 + 1)), "longer than");
  }

  @Test
  @DisplayName("a header value with CR LF (response splitting) is rejected")
  void headerInjection() {
    assertRejectedAlone(route("bad").prefix("/a").to("api", 80).setResponseHeader("x-a", "1\r\nSet-Cookie: x=1"), "CR, LF");
  }

  @Test
  @DisplayName("request header changes on a redirect route are rejected")
  void requestHeadersOnRedirect() {
    assertRejectedAlone(route("bad").prefix("/a").redirect("https", null, 301).setRequestHeader("x", "1"), "only to routes with backends");
  }

  @Test
  @DisplayName("a route name that is not a DNS label is rejected")
  void badRouteName() {
    assertRejectedAlone(route("Bad_Name").prefix("/a").to("api", 80), "DNS label");
  }

  @Test
  @DisplayName("two routes with the same name: the second is rejected")
  void duplicateRouteName() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(route("r").prefix("/a").to("api", 80)).route(route("r").prefix("/b").to("api", 80)), api());
    assertEquals(1, c.routeNames(SHOP).size());
    assertCondition(shopStatus(c), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "used twice");
  }

  @Test
  @DisplayName("an invalid host is dropped; the other hosts still serve")
  void invalidHostDropped() {
    Compiled c = compile(proxyRoute("default", "shop").hosts("10.1.2.3", SHOP).route(route("r").to("api", 80)), api());
    assertEquals(List.of(SHOP), c.hosts());
    assertCondition(shopStatus(c), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "10.1.2.3");
  }

  @Test
  @DisplayName("a ProxyRoute without hosts is not accepted and produces nothing")
  void noHosts() {
    Compiled c = compile(proxyRoute("default", "shop").route(route("r").to("api", 80)), api());
    assertTrue(c.hosts().isEmpty());
    assertCondition(shopStatus(c), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "spec.hosts");
  }

  @Test
  @DisplayName("a ProxyRoute without routes is not accepted")
  void noRoutes() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP), api());
    assertCondition(shopStatus(c), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "spec.routes");
    assertFalse(c.hosts().contains(SHOP));
  }

  @Test
  @DisplayName("a null entry in the backends list rejects that route only")
  void nullBackendEntry() {
    Fixtures.RouteFixture bad = route("bad").prefix("/a").to("api", 80);
    bad.spec.backends.add(null);
    assertRejectedAlone(bad, "needs a service");
  }

  @Test
  @DisplayName("a redirect to a wildcard host is rejected")
  void redirectWildcardHost() {
    assertRejectedAlone(route("bad").prefix("/a").redirect("https", "*.example.com", 301), "wildcard");
  }
}
