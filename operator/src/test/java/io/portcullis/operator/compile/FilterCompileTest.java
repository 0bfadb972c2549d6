package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.compile;
import static io.portcullis.operator.compile.Fixtures.cors;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static io.portcullis.operator.compile.Fixtures.warning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.snapshot.SnapshotCodec;
import io.portcullis.snapshot.filter.CorsPolicy;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Request-path filters (CORS first) from ProxyRoute fields and Ingress annotations. */
class FilterCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String API = "proxyroute/default/shop/api/shop.example.com";
  private static final String WEB = "proxyroute/default/shop/web/shop.example.com";

  private static Object api() {
    return backendWithEndpoints("default", "api", 80, "10.0.0.1");
  }

  private static CorsPolicy corsOf(Compiled c, String route) {
    List<FilterConfig> filters = c.route(route).filters();
    assertEquals(1, filters.size(), () -> "filters of " + route + ": " + filters);
    return (CorsPolicy) filters.get(0);
  }

  @Test
  @DisplayName("spec-level cors applies to every route; a route's own cors replaces it")
  void specAndRouteCors() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .cors(cors(true, "https://app.example.com"))
        .route(route("api").prefix("/api").to("api", 80).cors(cors(false, "*")))
        .route(route("web").prefix("/").to("api", 80)), api());
    assertEquals(List.of("*"), corsOf(c, API).allowOrigins());
    assertFalse(corsOf(c, API).allowCredentials());
    assertEquals(List.of("https://app.example.com"), corsOf(c, WEB).allowOrigins());
    assertTrue(corsOf(c, WEB).allowCredentials());
    Fixtures.assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("invalid spec-level cors (origin * with credentials) rejects the ProxyRoute with a condition")
  void invalidSpecCors() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .cors(cors(true, "*")).route(route("api").prefix("/api").to("api", 80)), api());
    assertFalse(c.hasRoute(API));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "spec.cors: cors: origin * cannot be combined with credentials");
  }

  @Test
  @DisplayName("invalid route-level cors rejects that route only; the others serve")
  void invalidRouteCors() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(route("api").prefix("/api").to("api", 80).cors(cors(false, "ftp://x.example.com")))
        .route(route("web").prefix("/").to("api", 80)), api());
    assertFalse(c.hasRoute(API));
    assertTrue(c.hasRoute(WEB));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "route api: cors: cors origin must be");
  }

  @Test
  @DisplayName("portcullis.io/cors-* annotations put CORS on every path of the Ingress")
  void ingressAnnotations() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(CorsTranslation.ALLOW_ORIGINS, "https://a.example.com, https://*.example.org")
        .annotation(CorsTranslation.ALLOW_METHODS, "PUT,DELETE")
        .annotation(CorsTranslation.ALLOW_HEADERS, "X-Token")
        .annotation(CorsTranslation.EXPOSE_HEADERS, "X-Request-Id")
        .annotation(CorsTranslation.ALLOW_CREDENTIALS, "true")
        .annotation(CorsTranslation.MAX_AGE, "10m")
        .host(SHOP).prefix("/", "api", 80), api());
    CorsPolicy cors = corsOf(c, "ingress/default/shop/r0/p0");
    assertEquals(new CorsPolicy(List.of("https://*.example.org", "https://a.example.com"),
        List.of("DELETE", "PUT"), List.of("x-token"), List.of("x-request-id"), true, 600), cors);
  }

  @Test
  @DisplayName("an unusable cors annotation warns, names the annotation, and the path serves without CORS")
  void badAnnotation() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(CorsTranslation.ALLOW_ORIGINS, "https://a.example.com")
        .annotation(CorsTranslation.MAX_AGE, "forever")
        .host(SHOP).prefix("/", "api", 80), api());
    assertTrue(c.route("ingress/default/shop/r0/p0").filters().isEmpty());
    var e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
    assertTrue(e.message().contains(CorsTranslation.ALLOW_ORIGINS), e.message());
  }

  @Test
  @DisplayName("routes without filters carry no filters field, so their snapshot JSON is unchanged")
  void noFiltersNoJson() {
    Compiled c = compile(proxyRoute("default", "shop").hosts(SHOP)
        .route(route("api").prefix("/api").to("api", 80)), api());
    assertFalse(SnapshotCodec.toJsonString(c.route(API)).contains("filters"));
  }
}
