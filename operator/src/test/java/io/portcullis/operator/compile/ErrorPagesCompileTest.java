package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.compile;
import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.compile.Fixtures.RouteFixture;
import io.portcullis.operator.crd.ErrorPagesSpec;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.filter.ErrorPages;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** ProxyRoute {@code errorPages} and the {@code portcullis.io/error-pages*} Ingress annotations. */
class ErrorPagesCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String API = "proxyroute/default/shop/api/shop.example.com";
  private static final String WEB = "proxyroute/default/shop/web/shop.example.com";

  private static ErrorPagesSpec pages(String service, int port, String status, Integer... codes) {
    ErrorPagesSpec spec = new ErrorPagesSpec();
    spec.codes = List.of(codes);
    spec.service = service;
    spec.port = port;
    spec.status = status;
    return spec;
  }

  private static ErrorPages pagesOf(Compiled c, String route) {
    return c.route(route).filters().stream().filter(ErrorPages.class::isInstance)
        .map(ErrorPages.class::cast).findFirst().orElseThrow();
  }

  @Test
  @DisplayName("spec-level errorPages apply to every route, a route's own replace them, and the"
      + " error backend becomes a cluster")
  void specAndRoute() {
    RouteFixture api = route("api").prefix("/api").to("api", 80);
    api.spec.errorPages = pages("oops", 8080, "ErrorBackend", 500, 404, 404);
    ProxyRoute pr = proxyRoute("default", "shop").hosts(SHOP).route(api)
        .route(route("web").prefix("/").to("web", 80)).build();
    pr.getSpec().errorPages = pages("errors", 80, null, 503);
    Compiled c = compile(pr, backendWithEndpoints("default", "api", 80, "10.0.0.1"),
        backendWithEndpoints("default", "web", 80, "10.0.0.2"),
        backendWithEndpoints("default", "errors", 80, "10.0.0.3"),
        backendWithEndpoints("default", "oops", 8080, "10.0.0.4"));
    ErrorPages web = pagesOf(c, WEB);
    assertEquals(List.of(503), web.codes());
    assertEquals(ErrorPages.Status.ORIGINAL, web.status());
    assertEquals(Map.of("x-namespace", "default", "x-ingress-name", "shop",
        "x-service-name", "web", "x-service-port", "80"), web.requestHeaders());
    assertEquals("10.0.0.3", c.cluster(web.cluster()).endpoints().get(0).address());
    ErrorPages own = pagesOf(c, API);
    assertEquals(List.of(404, 500), own.codes());
    assertEquals(ErrorPages.Status.ERROR_BACKEND, own.status());
    assertEquals("api", own.requestHeaders().get("x-service-name"));
    assertEquals("10.0.0.4", c.cluster(own.cluster()).endpoints().get(0).address());
    Fixtures.assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("a code outside 400-599 rejects the route with a condition; the others serve")
  void badCode() {
    RouteFixture api = route("api").prefix("/api").to("api", 80);
    api.spec.errorPages = pages("errors", 80, null, 302);
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP).route(api)
            .route(route("web").prefix("/").to("api", 80)).build(),
        backendWithEndpoints("default", "api", 80, "10.0.0.1"),
        backendWithEndpoints("default", "errors", 80, "10.0.0.3"));
    assertFalse(c.hasRoute(API));
    assertTrue(c.hasRoute(WEB));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "error page code must be 400 to 599: 302");
  }

  @Test
  @DisplayName("a missing error backend Service keeps the route and says so in ResolvedRefs")
  void missingErrorBackend() {
    RouteFixture api = route("api").prefix("/api").to("api", 80);
    api.spec.errorPages = pages("gone", 80, null, 404);
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP).route(api).build(),
        backendWithEndpoints("default", "api", 80, "10.0.0.1"));
    assertTrue(c.hasRoute(API));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.RESOLVED_REFS, false,
        Reasons.SERVICE_NOT_FOUND, "errorPages: error backend: Service default/gone not found");
  }
}
