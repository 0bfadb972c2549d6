package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.CompilerSettings.IngressNginx;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.filter.BodyLimit;
import io.portcullis.snapshot.filter.ConcurrencyLimit;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Compiler tables for the canary matches (pattern, cookie), the request limits from ingress-nginx
 * annotations, our own annotations and ProxyRoute fields, and their invalid values.
 */
class NginxMatchCompileTest {
  static final String P = "nginx.ingress.kubernetes.io/";
  static final String HOST = "shop.example.com";
  static final CompilerSettings COMPAT =
      CompilerSettings.defaults().withIngressNginx(IngressNginx.SERVED);

  private static IngressFixture nginx(String name) {
    return ingress("default", name).className("nginx");
  }

  private static <T extends FilterConfig> T filter(Route route, Class<T> kind) {
    return route.filters().stream().filter(kind::isInstance).map(kind::cast).findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind.getSimpleName() + " on " + route.name()));
  }

  @Test
  @DisplayName("a canary with header, pattern-less header, cookie and weight: header routes, then cookie routes, then the split")
  void canaryRouteOrder() {
    Compiled c = compile(COMPAT,
        nginx("shop").host(HOST).prefix("/", "web", 80),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-canary")
            .annotation(P + "canary-by-cookie", "canary").annotation(P + "canary-weight", "10")
            .host(HOST).prefix("/", "next", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        backendWithEndpoints("default", "next", 80, "10.0.0.2"));
    List<String> names = c.routeNames(HOST);
    assertEquals(5, names.size(), names.toString());
    assertTrue(names.get(0).contains("[x-canary: "), names.toString());
    assertTrue(names.get(1).contains("[x-canary: "), names.toString());
    assertTrue(names.get(2).contains("[cookie canary="), names.toString());
    assertTrue(names.get(3).contains("[cookie canary="), names.toString());
    assertEquals("ingress/default/shop/" + HOST + "/", names.get(4));
  }

  @Test
  @DisplayName("canary-by-header-pattern compiles to a regex match that searches the value")
  void patternCompiles() {
    Compiled c = compile(COMPAT,
        nginx("shop").host(HOST).prefix("/", "web", 80),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "X-Region")
            .annotation(P + "canary-by-header-pattern", "eu|us").host(HOST).prefix("/", "next", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        backendWithEndpoints("default", "next", 80, "10.0.0.2"));
    Route pattern = c.route("ingress/default/shop/" + HOST + "/ [x-region ~ pattern]");
    assertEquals(List.of(new HeaderMatch("x-region", HeaderMatch.Type.REGEX, ".*(?:eu|us).*")),
        pattern.match().headers());
    assertEquals(2, c.routeNames(HOST).size()); // the pattern and the main route: no always/never
  }

  @Test
  @DisplayName("proxy-body-size in nginx units and limit-connections per Ingress; unusable values are reported")
  void limitsFromAnnotations() {
    Compiled c = compile(COMPAT,
        nginx("shop").annotation(P + "proxy-body-size", "8m").annotation(P + "limit-connections", "5")
            .host(HOST).prefix("/", "web", 80),
        nginx("bad").annotation(P + "proxy-body-size", "1.5m").annotation(P + "limit-connections", "none")
            .host("b.example.com").prefix("/", "web", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    Route shop = c.route("ingress/default/shop/" + HOST + "/");
    assertEquals(new BodyLimit(8L << 20), filter(shop, BodyLimit.class));
    assertEquals(new ConcurrencyLimit(5, "ingress/default/shop"), filter(shop, ConcurrencyLimit.class));
    assertTrue(c.route("ingress/default/bad/b.example.com/").filters().isEmpty());
    var events = c.ingressStatus("default", "bad").events();
    assertTrue(events.stream().anyMatch(e -> e.reason().equals(Reasons.INVALID_ANNOTATION)
        && e.message().contains("proxy-body-size")), events.toString());
    assertTrue(events.stream().anyMatch(e -> e.reason().equals(Reasons.INVALID_ANNOTATION)
        && e.message().contains("limit-connections")), events.toString());
  }

  @Test
  @DisplayName("our own annotations: max-request-body in Kubernetes sizes, 0 unlimited; a bad one is an Event")
  void ownAnnotations() {
    Compiled c = compile(
        ingress("default", "shop").annotation("portcullis.io/max-request-body", "0")
            .annotation("portcullis.io/concurrent-requests-per-client", "3")
            .host(HOST).prefix("/", "web", 80),
        ingress("default", "bad").annotation("portcullis.io/max-request-body", "lots")
            .host("b.example.com").prefix("/", "web", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    Route shop = c.route("ingress/default/shop/" + HOST + "/");
    assertEquals(new BodyLimit(0), filter(shop, BodyLimit.class));
    assertEquals(3, filter(shop, ConcurrencyLimit.class).perClient());
    warning(c.ingressStatus("default", "bad"), Reasons.INVALID_ANNOTATION);
  }

  @Test
  @DisplayName("ProxyRoute: route limits replace spec limits; an RE2-invalid header regex rejects the object with a condition")
  void proxyRouteFields() {
    var limited = proxyRoute("default", "shop").hosts(HOST)
        .route(route("own").prefix("/own").to("web", 80)).route(route("inherit").prefix("/").to("web", 80))
        .build();
    limited.getSpec().maxRequestBody = "1Mi";
    limited.getSpec().concurrentRequestsPerClient = 4;
    limited.getSpec().routes.get(0).maxRequestBody = "10k";
    RouteFixture bad = route("bad").prefix("/").to("web", 80);
    ProxyRouteSpec.HeaderMatch h = new ProxyRouteSpec.HeaderMatch();
    h.name = "x-user";
    h.regex = "(a)\\1";
    bad.spec.match.headers = new ArrayList<>(List.of(h));
    Compiled c = compile(limited, proxyRoute("default", "broken").hosts("b.example.com").route(bad).build(),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertEquals(new BodyLimit(10_000), filter(c.route("proxyroute/default/shop/own/" + HOST), BodyLimit.class));
    assertEquals(4, filter(c.route("proxyroute/default/shop/own/" + HOST), ConcurrencyLimit.class).perClient());
    assertEquals(new BodyLimit(1L << 20), filter(c.route("proxyroute/default/shop/inherit/" + HOST), BodyLimit.class));
    assertCondition(c.proxyRouteStatus("default", "broken"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "x-user");
    assertAllGood(c.proxyRouteStatus("default", "shop"));
  }
}
