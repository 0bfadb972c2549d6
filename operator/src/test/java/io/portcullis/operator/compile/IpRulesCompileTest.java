package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.compile;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static io.portcullis.operator.compile.Fixtures.warning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.filter.IpRules;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The ipRules filter kind from ProxyRoute ipAllow/ipDeny and the ip-allow/ip-deny annotations. */
class IpRulesCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String API = "proxyroute/default/shop/api/shop.example.com";
  private static final String WEB = "proxyroute/default/shop/web/shop.example.com";
  private static final String INGRESS_PATH = "ingress/default/shop/shop.example.com/";

  private static Object api() {
    return backendWithEndpoints("default", "api", 80, "10.0.0.1");
  }

  private static IpRules rulesOf(Compiled c, String route) {
    return c.route(route).filters().stream().filter(f -> f instanceof IpRules)
        .map(f -> (IpRules) f).findFirst().orElse(null);
  }

  /** spec lists, then the api route's lists; null means the field is absent. */
  private static ProxyRoute shop(List<String> specAllow, List<String> specDeny,
      List<String> apiAllow, List<String> apiDeny) {
    var api = route("api").prefix("/api").to("api", 80);
    api.spec.ipAllow = apiAllow;
    api.spec.ipDeny = apiDeny;
    ProxyRoute r = proxyRoute("default", "shop").hosts(SHOP).route(api)
        .route(route("web").prefix("/").to("api", 80)).build();
    r.getSpec().ipAllow = specAllow;
    r.getSpec().ipDeny = specDeny;
    return r;
  }

  static Stream<Arguments> proxyRoutes() {
    IpRules office = new IpRules(List.of("192.0.2.0/24"), List.of("192.0.2.66/32"));
    return Stream.of(
        Arguments.of("no lists: no ip rules", shop(null, null, null, null), null, null),
        Arguments.of("spec lists apply to every route, normalised",
            shop(List.of("192.0.2.1/24"), List.of("192.0.2.66"), null, null), office, office),
        Arguments.of("a route's ipDeny replaces both spec lists",
            shop(List.of("192.0.2.0/24"), List.of("192.0.2.66"), null, List.of("2001:DB8::/32")),
            new IpRules(null, List.of("2001:db8::/32")), office),
        Arguments.of("a route's empty ipAllow switches the spec's rules off",
            shop(List.of("192.0.2.0/24"), null, List.of(), null),
            new IpRules(null, null), new IpRules(List.of("192.0.2.0/24"), null)),
        Arguments.of("route-level lists alone",
            shop(null, null, List.of("10.0.0.0/8", "::ffff:10.0.0.0/104"), null),
            new IpRules(List.of("10.0.0.0/8"), null), null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("proxyRoutes")
  void translatesProxyRoutes(String name, ProxyRoute route, IpRules api, IpRules web) {
    Compiled c = compile(route, api());
    assertEquals(api, rulesOf(c, API));
    assertEquals(web, rulesOf(c, WEB));
    Fixtures.assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("an unreadable spec-level ipAllow keeps the routes and refuses everyone (fail closed)")
  void invalidSpecAllowFailsClosed() {
    Compiled c = compile(shop(List.of("10.0.0.0/8", "10.0.0.300"), null, null, null), api());
    assertEquals(IpRules.DENY_ALL, rulesOf(c, API));
    assertEquals(IpRules.DENY_ALL, rulesOf(c, WEB));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_IP_RULES, "spec.ipAllow: '10.0.0.300' is not an IP address or CIDR");
    var e = warning(c.proxyRouteStatus("default", "shop"), Reasons.INVALID_IP_RULES);
    assertTrue(e.message().contains("every client gets 403 until this is fixed"), e.message());
  }

  @Test
  @DisplayName("an unreadable route-level ipDeny fails closed on that route only")
  void invalidRouteDenyFailsClosed() {
    Compiled c = compile(shop(List.of("192.0.2.0/24"), null, null, List.of("evil.example.com")), api());
    assertEquals(IpRules.DENY_ALL, rulesOf(c, API));
    assertEquals(new IpRules(List.of("192.0.2.0/24"), null), rulesOf(c, WEB));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_IP_RULES, "route api: ipDeny: 'evil.example.com' is not an IP address or CIDR");
  }

  @Test
  @DisplayName("portcullis.io/ip-allow and ip-deny put IP rules on every path of the Ingress")
  void ingressAnnotations() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(IpRulesTranslation.ALLOW, "10.0.0.0/8, 2001:db8::/32,")
        .annotation(IpRulesTranslation.DENY, "10.6.6.6")
        .host(SHOP).prefix("/", "api", 80), api());
    assertEquals(new IpRules(List.of("10.0.0.0/8", "2001:db8::/32"), List.of("10.6.6.6/32")),
        rulesOf(c, INGRESS_PATH));
  }

  @Test
  @DisplayName("an unusable ip-allow annotation fails closed (403 for everyone) and says so in an Event")
  void badAllowAnnotationFailsClosed() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(IpRulesTranslation.ALLOW, "10.0.0.0/8, 10.0.0.0/40")
        .host(SHOP).prefix("/", "api", 80), api());
    assertEquals(IpRules.DENY_ALL, rulesOf(c, INGRESS_PATH));
    var e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_IP_RULES);
    assertTrue(e.message().contains(IpRulesTranslation.ALLOW), e.message());
    assertTrue(e.message().contains("'10.0.0.0/40' is not an IP address or CIDR"), e.message());
    assertTrue(e.message().contains("every path of this Ingress answers 403"), e.message());
  }

  @Test
  @DisplayName("an unusable ip-deny annotation fails closed too: a rule that cannot be read is not dropped")
  void badDenyAnnotationFailsClosed() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(IpRulesTranslation.DENY, "10.0.0.1 10.0.0.2")
        .host(SHOP).prefix("/", "api", 80), api());
    assertEquals(IpRules.DENY_ALL, rulesOf(c, INGRESS_PATH));
    var e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_IP_RULES);
    assertTrue(e.message().contains(IpRulesTranslation.DENY), e.message());
  }

  @Test
  @DisplayName("an Ingress without ip annotations has no ip rules")
  void none() {
    Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("/", "api", 80), api());
    assertNull(rulesOf(c, INGRESS_PATH));
  }
}
