package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.crd.CacheSpec;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.filter.CachePolicy;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cache filter kind from ProxyRoutes ({@code cache: {}}) and Ingress annotations. */
class CacheCompileTest {
  private static final String SHOP = "shop.example.com";

  private static CacheSpec cache(String maxObjectSize, String... keyHeaders) {
    CacheSpec c = new CacheSpec();
    c.maxObjectSize = maxObjectSize;
    c.keyHeaders = keyHeaders.length == 0 ? null : List.of(keyHeaders);
    return c;
  }

  private static Compiled compileRoute(CacheSpec specLevel, CacheSpec a, CacheSpec b) {
    RouteFixture ra = route("a").prefix("/a").to("api", 80);
    ra.spec.cache = a;
    RouteFixture rb = route("b").prefix("/b").to("api", 80);
    rb.spec.cache = b;
    ProxyRoute pr = proxyRoute("default", "shop").hosts(SHOP).route(ra).route(rb).build();
    pr.getSpec().cache = specLevel;
    return compile(pr, backendWithEndpoints("default", "api", 80, "10.0.0.1"));
  }

  private static List<FilterConfig> filters(Compiled c, String route) {
    return c.route("proxyroute/default/shop/" + route + "/" + SHOP).filters();
  }

  @Test
  @DisplayName("cache: {} at spec level caches every route with the defaults")
  void specLevel() {
    Compiled c = compileRoute(new CacheSpec(), null, null);
    assertEquals(List.of(CachePolicy.defaults()), filters(c, "a"));
    assertEquals(List.of(CachePolicy.defaults()), filters(c, "b"));
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("a route's cache replaces the spec's, and enabled: false turns it off there")
  void routeLevelReplaces() {
    CacheSpec off = new CacheSpec();
    off.enabled = false;
    Compiled c = compileRoute(cache("1Mi"), cache("64Ki", "X-Tenant"), off);
    assertEquals(List.of(new CachePolicy(64 * 1024, List.of("x-tenant"))), filters(c, "a"));
    assertEquals(List.of(), filters(c, "b"));
  }

  @Test
  @DisplayName("no cache field: no filter, and the route's JSON stays as before")
  void noCache() {
    Compiled c = compileRoute(null, null, null);
    assertEquals(List.of(), filters(c, "a"));
  }

  @Test
  @DisplayName("a bad maxObjectSize rejects that route alone with a condition and an event")
  void invalidRejectsTheRoute() {
    Compiled c = compileRoute(null, cache("lots"), null);
    assertEquals(List.of("proxyroute/default/shop/b/" + SHOP), c.routeNames(SHOP));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "cache.maxObjectSize");
    warning(c.proxyRouteStatus("default", "shop"), Reasons.INVALID_ROUTE);
  }

  private static Compiled ingressWith(String... annotations) {
    IngressFixture ingress = ingress("default", "shop");
    for (int i = 0; i + 1 < annotations.length; i += 2) {
      ingress = ingress.annotation(annotations[i], annotations[i + 1]);
    }
    return compile(ingress.host(SHOP).prefix("/", "web", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
  }

  @Test
  @DisplayName("portcullis.io/cache: \"true\" caches every path of the Ingress")
  void ingressAnnotation() {
    Compiled c = ingressWith(CacheTranslation.ANNOTATION, "true");
    assertEquals(List.of(CachePolicy.defaults()), c.route("ingress/default/shop/" + SHOP + "/").filters());
    assertAllGood(c.ingressStatus("default", "shop"));
    Compiled tuned = ingressWith(CacheTranslation.ANNOTATION, "true",
        CacheTranslation.MAX_OBJECT_SIZE_ANNOTATION, "2Mi",
        CacheTranslation.KEY_HEADERS_ANNOTATION, "X-Tenant, X-Region");
    assertEquals(List.of(new CachePolicy(2 << 20, List.of("x-region", "x-tenant"))),
        tuned.route("ingress/default/shop/" + SHOP + "/").filters());
  }

  @Test
  @DisplayName("a bad cache annotation leaves caching off and says so in a Warning event")
  void badIngressAnnotation() {
    Compiled c = ingressWith(CacheTranslation.ANNOTATION, "yes");
    assertEquals(List.of(), c.route("ingress/default/shop/" + SHOP + "/").filters());
    assertTrue(warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION)
        .message().contains("portcullis.io/cache"));
    Compiled size = ingressWith(CacheTranslation.ANNOTATION, "true",
        CacheTranslation.MAX_OBJECT_SIZE_ANNOTATION, "big");
    assertEquals(List.of(), size.route("ingress/default/shop/" + SHOP + "/").filters());
    warning(size.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
  }
}
