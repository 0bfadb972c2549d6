package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.WeightedBackend;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Contour-style: a small realistic cluster in, the whole snapshot out, compared as one value. */
class WholeSnapshotTest {
  @Test
  @DisplayName("a shop with an Ingress, a canary ProxyRoute and a default backend compiles to exactly this snapshot")
  void shopCluster() {
    Compiled c = compile(
        ingress("shop", "front").created(OLD).host("shop.example.com")
            .prefix("/", "web", 80).exact("/healthz", "web", 80).defaultBackend("web", 80),
        proxyRoute("shop", "api").created(NEW).hosts("shop.example.com")
            .route(route("canary").prefix("/api").headerExact("x-canary", "1")
                .backend("api", 80, 90).backend("api-next", 80, 10).requestTimeout("5s"))
            .route(route("stable").prefix("/api/").to("api", 80).setResponseHeader("x-served-by", "portcullis")),
        service("shop", "web").port("http", 80).build(),
        slice("shop", "web").port("http", 8080).ready("10.0.0.1").terminating("10.0.0.2").build(),
        service("shop", "api").port(null, 80).build(),
        slice("shop", "api").port(null, 9000).ready("10.0.1.1", "10.0.1.2").build());

    Snapshot expected = Snapshot.of(
        List.of(new VirtualHost("shop.example.com", List.of(
            Route.of("ingress/shop/front/shop.example.com/healthz (exact)", RouteMatch.path(new PathMatch.Exact("/healthz")),
                RouteAction.Forward.to("shop/web:80")),
            Route.of("proxyroute/shop/api/canary/shop.example.com",
                new RouteMatch(new PathMatch.Prefix("/api"),
                    List.of(new io.portcullis.snapshot.HeaderMatch("x-canary", io.portcullis.snapshot.HeaderMatch.Type.EXACT, "1")),
                    List.of()),
                new RouteAction.Forward(List.of(new WeightedBackend("shop/api:80", 90),
                    new WeightedBackend("shop/api-next:80", 10)), null, 5000)),
            new Route("proxyroute/shop/api/stable/shop.example.com", RouteMatch.path(new PathMatch.Prefix("/api")),
                RouteAction.Forward.to("shop/api:80"), HeaderRewrite.NONE,
                new HeaderRewrite(Map.of("x-served-by", "portcullis"), List.of())),
            Route.of("ingress/shop/front/shop.example.com/", RouteMatch.path(new PathMatch.Prefix("/")),
                RouteAction.Forward.to("shop/web:80"))))),
        List.of(
            new Cluster("shop/api-next:80", List.of()),
            new Cluster("shop/api:80", List.of(new Endpoint("10.0.1.1", 9000), new Endpoint("10.0.1.2", 9000))),
            new Cluster("shop/web:80",
                List.of(new Endpoint("10.0.0.1", 8080), new Endpoint("10.0.0.2", 8080, true)))),
        "shop/web:80");
    assertEquals(expected, c.snapshot());

    assertAllGood(c.ingressStatus("shop", "front"));
    ObjectStatus api = c.proxyRouteStatus("shop", "api");
    assertCondition(api, Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
    assertCondition(api, Reasons.RESOLVED_REFS, false, Reasons.SERVICE_NOT_FOUND, "shop/api-next");
    assertEquals(List.of("proxyroute/shop/api/canary/shop.example.com", "proxyroute/shop/api/stable/shop.example.com"),
        api.routeNames());
  }

  @Test
  @DisplayName("messages quoting a huge user value are cut to a bounded length")
  void messagesBounded() {
    Compiled c = compile(ingress("default", "shop").host("shop.example.com").prefix("/", "x".repeat(5000), 80));
    ObjectStatus s = c.ingressStatus("default", "shop");
    assertTrue(s.events().stream().allMatch(e -> e.message().length() <= StatusCollector.MAX_MESSAGE_LENGTH));
    assertTrue(condition(s, Reasons.RESOLVED_REFS).message().length() <= StatusCollector.MAX_MESSAGE_LENGTH);
  }
}
