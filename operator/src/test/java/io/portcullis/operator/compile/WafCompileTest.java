package io.portcullis.operator.compile;

import io.portcullis.operator.crd.FilterSpec;
import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static io.portcullis.operator.compile.Fixtures.backendWithEndpoints;
import static io.portcullis.operator.compile.Fixtures.compile;
import static io.portcullis.operator.compile.Fixtures.ingress;
import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static io.portcullis.operator.compile.Fixtures.warning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.filter.FilterConfig;
import io.portcullis.snapshot.filter.WafSettings;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The WAF filter kind from ProxyRoute fields and Ingress annotations. */
class WafCompileTest {
  private static final String SHOP = "shop.example.com";
  private static final String API = "proxyroute/default/shop/api/shop.example.com";
  private static final String WEB = "proxyroute/default/shop/web/shop.example.com";
  private static final String INGRESS_PATH = "ingress/default/shop/shop.example.com/";

  private static Object api() {
    return backendWithEndpoints("default", "api", 80, "10.0.0.1");
  }

  private static FilterSpec.Waf waf(String mode, Integer level, Integer threshold, String... exclude) {
    FilterSpec.Waf waf = new FilterSpec.Waf();
    waf.mode = mode;
    waf.paranoiaLevel = level;
    waf.anomalyThreshold = threshold;
    waf.excludeRules = exclude.length == 0 ? null : List.of(exclude);
    return waf;
  }

  private static WafSettings wafOf(Compiled c, String route) {
    List<FilterConfig> filters = c.route(route).filters();
    return filters.stream().filter(f -> f instanceof WafSettings).map(f -> (WafSettings) f)
        .findFirst().orElse(null);
  }

  private static ProxyRoute shop(FilterSpec.Waf specWaf, FilterSpec.Waf apiWaf) {
    var api = route("api").prefix("/api").to("api", 80);
    api.spec.waf = apiWaf;
    ProxyRoute r = proxyRoute("default", "shop").hosts(SHOP).route(api)
        .route(route("web").prefix("/").to("api", 80)).build();
    r.getSpec().waf = specWaf;
    return r;
  }

  @Test
  @DisplayName("spec-level waf applies to every route; a route's own waf replaces it")
  void specAndRouteWaf() {
    Compiled c = compile(shop(waf(null, 2, 10, "942100"), waf("detect", null, null)), api());
    assertEquals(new WafSettings(WafSettings.Mode.BLOCK, 2, 10, List.of("942100")), wafOf(c, WEB));
    assertEquals(WafSettings.of(WafSettings.Mode.DETECT), wafOf(c, API));
    Fixtures.assertAllGood(c.proxyRouteStatus("default", "shop"));
  }

  @Test
  @DisplayName("a route can switch the spec-level waf off")
  void routeOff() {
    Compiled c = compile(shop(waf("block", null, null), waf("off", null, null)), api());
    assertEquals(WafSettings.Mode.OFF, wafOf(c, API).mode());
    assertEquals(WafSettings.Mode.BLOCK, wafOf(c, WEB).mode());
  }

  @Test
  @DisplayName("an invalid spec-level waf (reversed rule range) rejects the ProxyRoute with a condition")
  void invalidSpecWaf() {
    Compiled c = compile(shop(waf("block", null, null, "942199-942100"), null), api());
    assertFalse(c.hasRoute(API));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "spec.waf: waf excluded rule range ends before it starts");
  }

  @Test
  @DisplayName("an invalid route-level waf rejects that route only")
  void invalidRouteWaf() {
    Compiled c = compile(shop(null, waf("sometimes", null, null)), api());
    assertFalse(c.hasRoute(API));
    assertTrue(c.hasRoute(WEB));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "waf.mode must be block, detect or off");
  }

  @Test
  @DisplayName("portcullis.io/waf and waf-paranoia-level put the WAF on every path of the Ingress")
  void ingressAnnotations() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(WafTranslation.MODE, "detect")
        .annotation(WafTranslation.PARANOIA_LEVEL, "2")
        .annotation(WafTranslation.EXCLUDE_RULES, "920350, 942100-942110")
        .host(SHOP).prefix("/", "api", 80), api());
    assertEquals(new WafSettings(WafSettings.Mode.DETECT, 2, 5, List.of("920350", "942100-942110")),
        wafOf(c, INGRESS_PATH));
  }

  @Test
  @DisplayName("an unusable waf annotation warns and the WAF still blocks (fails closed)")
  void badAnnotationFailsClosed() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(WafTranslation.MODE, "blok")
        .annotation(WafTranslation.PARANOIA_LEVEL, "7")
        .host(SHOP).prefix("/", "api", 80), api());
    assertEquals(WafSettings.of(WafSettings.Mode.BLOCK), wafOf(c, INGRESS_PATH));
    var e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
    assertTrue(e.message().contains(WafTranslation.MODE), e.message());
  }

  @Test
  @DisplayName("waf-paranoia-level without portcullis.io/waf enables nothing and warns")
  void levelAloneWarns() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(WafTranslation.PARANOIA_LEVEL, "2")
        .host(SHOP).prefix("/", "api", 80), api());
    assertEquals(null, wafOf(c, INGRESS_PATH));
    var e = warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION);
    assertTrue(e.message().contains(WafTranslation.PARANOIA_LEVEL), e.message());
  }
}
