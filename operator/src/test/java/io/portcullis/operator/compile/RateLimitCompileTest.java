package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.compile;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static io.portcullis.operator.compile.Fixtures.warning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.RateLimitSpec;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The rateLimit filter kind from ProxyRoute fields and Ingress annotations. */
class RateLimitCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String API = "proxyroute/default/shop/api/shop.example.com";
  private static final String WEB = "proxyroute/default/shop/web/shop.example.com";
  private static final String INGRESS_PATH = "ingress/default/shop/shop.example.com/";

  private static Object api() {
    return backendWithEndpoints("default", "api", 80, "10.0.0.1");
  }

  private static RateLimitSpec limit(Integer rps, Integer burst, String key) {
    RateLimitSpec spec = new RateLimitSpec();
    spec.requestsPerSecond = rps;
    spec.burst = burst;
    spec.key = key;
    return spec;
  }

  private static RateLimitPolicy limitOf(Compiled c, String route) {
    return c.route(route).filters().stream().filter(f -> f instanceof RateLimitPolicy)
        .map(f -> (RateLimitPolicy) f).findFirst().orElse(null);
  }

  private static ProxyRoute shop(RateLimitSpec spec, RateLimitSpec apiLimit) {
    var api = route("api").prefix("/api").to("api", 80);
    api.spec.rateLimit = apiLimit;
    ProxyRoute r = proxyRoute("default", "shop").hosts(SHOP).route(api)
        .route(route("web").prefix("/").to("api", 80)).build();
    r.getSpec().rateLimit = spec;
    return r;
  }

  private static Compiled annotated(String... pairs) {
    var ing = ingress("default", "shop");
    for (int i = 0; i < pairs.length; i += 2) {
      ing = ing.annotation(pairs[i], pairs[i + 1]);
    }
    return compile(ing.host(SHOP).prefix("/", "api", 80), api());
  }

  @Test
  @DisplayName("spec-level rateLimit applies to every route; a route's own replaces it")
  void specAndRoute() {
    Compiled c = compile(shop(limit(10, null, null), limit(2, 5, "header:X-Api-Key")), api());
    assertEquals(new RateLimitPolicy(10, 1, 10, "client"), limitOf(c, WEB));
    assertEquals(new RateLimitPolicy(2, 1, 5, "header:x-api-key"), limitOf(c, API));
    Fixtures.assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("a spec-level key by JWT claim rejects the ProxyRoute with a condition saying why")
  void claimKeyRefused() {
    Compiled c = compile(shop(limit(10, null, "claim:sub"), null), api());
    assertFalse(c.hasRoute(API));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "rate limits run before authentication");
  }

  @Test
  @DisplayName("a route-level rateLimit without requestsPerSecond rejects that route only")
  void invalidRouteLimit() {
    Compiled c = compile(shop(null, limit(null, 5, null)), api());
    assertFalse(c.hasRoute(API));
    assertTrue(c.hasRoute(WEB));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "rateLimit.requestsPerSecond is required");
  }

  @Test
  @DisplayName("rate-limit-rps and rate-limit-burst limit every path of the Ingress")
  void ingressAnnotations() {
    Compiled c = annotated(RateLimitTranslation.RPS, "5", RateLimitTranslation.BURST, "20");
    assertEquals(new RateLimitPolicy(5, 1, 20, null), limitOf(c, INGRESS_PATH));
  }

  @Test
  @DisplayName("without rate-limit-burst the burst is the rate; rate-limit-key keys by a header")
  void ingressDefaultsAndKey() {
    Compiled c = annotated(RateLimitTranslation.RPS, " 7 ", RateLimitTranslation.KEY, "header:x-tenant");
    assertEquals(new RateLimitPolicy(7, 1, 7, "header:x-tenant"), limitOf(c, INGRESS_PATH));
  }

  @Test
  @DisplayName("an unusable rate-limit-rps gives no limit and an Event naming the annotation")
  void badRps() {
    Compiled c = annotated(RateLimitTranslation.RPS, "0.5");
    assertNull(limitOf(c, INGRESS_PATH));
    assertTrue(c.hasRoute(INGRESS_PATH), "the path is still served");
    var e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
    assertTrue(e.message().contains(RateLimitTranslation.RPS), e.message());
  }

  @Test
  @DisplayName("an unusable burst falls back to the rate and warns; a claim key falls back to client and warns")
  void badBurstAndKey() {
    Compiled c = annotated(RateLimitTranslation.RPS, "3", RateLimitTranslation.BURST, "lots",
        RateLimitTranslation.KEY, "claim:sub");
    assertEquals(new RateLimitPolicy(3, 1, 3, null), limitOf(c, INGRESS_PATH));
    var events = c.ingressStatus("default", "shop").events();
    assertTrue(events.stream().anyMatch(e -> e.message().contains(RateLimitTranslation.BURST)), events.toString());
    assertTrue(events.stream().anyMatch(e -> e.message().contains("before authentication")), events.toString());
  }

  @Test
  @DisplayName("rate-limit-burst without rate-limit-rps enables nothing and warns")
  void burstAloneWarns() {
    Compiled c = annotated(RateLimitTranslation.BURST, "10");
    assertNull(limitOf(c, INGRESS_PATH));
    var e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
    assertTrue(e.message().contains(RateLimitTranslation.BURST), e.message());
  }
}
