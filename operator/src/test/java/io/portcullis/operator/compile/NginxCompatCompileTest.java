package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.CompilerSettings.IngressNginx;
import io.portcullis.snapshot.ClusterPolicy.AffinityCookie;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import io.portcullis.snapshot.ClusterPolicy.LoadBalancer;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RetryPolicy;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.WeightedBackend;
import io.portcullis.snapshot.filter.CorsPolicy;
import io.portcullis.snapshot.filter.WafSettings;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** --ingress-nginx-compat: which Ingresses are served, and each annotation family's translation. */
class NginxCompatCompileTest {
  static final String P = "nginx.ingress.kubernetes.io/";
  static final CompilerSettings COMPAT = CompilerSettings.defaults().withIngressNginx(IngressNginx.SERVED);
  static final String ROUTE = "ingress/default/shop/shop.example.com/";

  static IngressFixture nginxIngress(String name) {
    return ingress("default", name).className("nginx");
  }

  static Compiled compileWith(Map<String, String> annotations, Object... more) {
    IngressFixture ingress = nginxIngress("shop");
    annotations.forEach((k, v) -> ingress.annotation(P + k, v));
    ingress.host("shop.example.com").prefix("/", "web", 80);
    return compile(COMPAT, ingress, backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        ourClass(), List.of(more));
  }

  static RouteAction.Forward forward(Compiled c, String route) {
    return (RouteAction.Forward) c.route(route).action();
  }

  // ------------------------------------------------------------------ class selection

  @Test
  @DisplayName("without the flag, Ingresses of class nginx are another controller's")
  void withoutFlagNginxIsIgnored() {
    Compiled c = compile(nginxIngress("shop").host("shop.example.com").prefix("/", "web", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertEquals(List.of(), c.hosts());
    assertEquals(List.of(), c.statusObjects());
  }

  static Stream<Arguments> nginxClasses() {
    return Stream.of(
        Arguments.of("class nginx with ingress-nginx's IngressClass",
            ingress("default", "shop").className("nginx"),
            List.of(ingressClass("nginx", "k8s.io/ingress-nginx", false)), true),
        Arguments.of("class nginx after ingress-nginx's IngressClass was removed",
            ingress("default", "shop").className("nginx"), List.of(), true),
        Arguments.of("another name for ingress-nginx's controller",
            ingress("default", "shop").className("internal"),
            List.of(ingressClass("internal", "k8s.io/ingress-nginx", false)), true),
        Arguments.of("class nginx that another controller owns is not ours",
            ingress("default", "shop").className("nginx"),
            List.of(ingressClass("nginx", "example.com/other", false)), false),
        Arguments.of("the legacy annotation kubernetes.io/ingress.class: nginx",
            ingress("default", "shop").className(null).annotation("kubernetes.io/ingress.class", "nginx"),
            List.of(), true),
        Arguments.of("no class while ingress-nginx's class is the default",
            ingress("default", "shop").className(null),
            List.of(ingressClass("nginx", "k8s.io/ingress-nginx", true)), true),
        Arguments.of("no class and no default", ingress("default", "shop").className(null),
            List.of(ingressClass("nginx", "k8s.io/ingress-nginx", false)), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nginxClasses")
  void classSelection(String situation, IngressFixture ingress, List<Object> classes, boolean served) {
    Compiled c = compile(COMPAT, ingress.host("shop.example.com").prefix("/", "web", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"), ourClass(), classes);
    assertEquals(served, c.hasRoute(ROUTE), situation);
  }

  @Test
  @DisplayName("our own class is still served beside nginx")
  void ourClassStillServed() {
    Compiled c = compile(COMPAT, ingress("default", "shop").host("shop.example.com").prefix("/", "web", 80),
        backendWithEndpoints("default", "web", 80, "10.0.0.1"), ourClass());
    assertTrue(c.hasRoute(ROUTE));
  }

  // ------------------------------------------------------------------ refusal

  @Test
  @DisplayName("a snippet is refused with an event naming it, and the Ingress is still served")
  void snippetsRefused() {
    Compiled c = compileWith(Map.of("configuration-snippet", "more_set_headers \"x: y\";",
        "server-snippet", "location /x {}", "some-future-thing", "1"));
    assertTrue(c.hasRoute(ROUTE));
    List<String> refused = c.ingressStatus("default", "shop").events().stream()
        .filter(e -> e.reason().equals(Reasons.NGINX_ANNOTATION_REFUSED))
        .map(ObjectStatus.Event::message).toList();
    assertEquals(3, refused.size(), refused.toString());
    assertTrue(refused.stream().anyMatch(m -> m.contains(P + "configuration-snippet") && m.contains("never honoured")));
    assertTrue(refused.stream().anyMatch(m -> m.contains(P + "server-snippet")));
    assertTrue(refused.stream().anyMatch(m -> m.contains(P + "some-future-thing") && m.contains("does not know")));
  }

  @Test
  @DisplayName("refused annotations are refused with their reason")
  void pendingRefused() {
    Compiled c = compileWith(Map.of("ssl-passthrough", "true"));
    assertTrue(c.hasRoute(ROUTE));
    ObjectStatus s = c.ingressStatus("default", "shop");
    assertTrue(s.events().stream().anyMatch(e -> e.message().contains("ssl-passthrough") && e.message().contains("layer-4")));
  }

  @Test
  @DisplayName("limit-rps with limit-burst-multiplier is a per-client token bucket of rate x multiplier + 1 (nginx admits burst + 1)")
  void limitRps() {
    Compiled c = compileWith(Map.of("limit-rps", "10", "limit-burst-multiplier", "3"));
    assertEquals(List.of(new io.portcullis.snapshot.filter.RateLimitPolicy(10, 1, 31,
        io.portcullis.snapshot.filter.RateLimitPolicy.CLIENT).withRejectStatus(503)), c.route(ROUTE).filters());
  }

  @Test
  @DisplayName("limit-rpm is per minute, with ingress-nginx's default multiplier of 5")
  void limitRpm() {
    Compiled c = compileWith(Map.of("limit-rpm", "120"));
    assertEquals(List.of(new io.portcullis.snapshot.filter.RateLimitPolicy(120, 60, 601,
        io.portcullis.snapshot.filter.RateLimitPolicy.CLIENT).withRejectStatus(503)), c.route(ROUTE).filters());
  }

  @Test
  @DisplayName("an unusable limit-rps gives no limit and an Event naming it")
  void badLimitRps() {
    Compiled c = compileWith(Map.of("limit-rps", "lots"));
    assertEquals(List.of(), c.route(ROUTE).filters());
    assertTrue(c.ingressStatus("default", "shop").events().stream()
        .anyMatch(e -> e.message().contains("limit-rps")));
  }

  // ------------------------------------------------------------------ paths

  @Test
  @DisplayName("rewrite-target /$2 with /api(/|$)(.*): the regex read as ingress-nginx does (case-insensitive, anchored at the start), the target with its group reference")
  void rewriteCaptureGroups() {
    IngressFixture ingress = nginxIngress("shop").annotation(P + "rewrite-target", "/$2")
        .host("shop.example.com").implementationSpecific("/api(/|$)(.*)", "web", 80);
    Compiled c = compile(COMPAT, ingress, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    var route = c.route(ROUTE + "api(/|$)(.*) (regex)");
    assertEquals(new PathMatch.Regex("(?i)(?:/api(/|$)(.*)).*"), route.match().path());
    assertEquals("/$2", ((RouteAction.Forward) route.action()).prefixRewrite());
  }

  @Test
  @DisplayName("rewrite-target without groups replaces the whole path of a prefix route")
  void rewriteWhole() {
    Compiled c = compileWith(Map.of("rewrite-target", "/index.html"));
    var route = c.route(ROUTE + ".* (regex)");
    assertEquals("/index.html", ((RouteAction.Forward) route.action()).prefixRewrite());
  }

  @Test
  @DisplayName("rewrite-target with any capture shape compiles: $1 and $2 of /(a|b)/(.*)")
  void rewriteOtherShape() {
    IngressFixture ingress = nginxIngress("shop").annotation(P + "rewrite-target", "/$1/x/$2")
        .host("shop.example.com").implementationSpecific("/(a|b)/(.*)", "web", 80);
    Compiled c = compile(COMPAT, ingress, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    var route = c.route(ROUTE + "(a|b)/(.*) (regex)");
    assertEquals("/$1/x/$2", ((RouteAction.Forward) route.action()).prefixRewrite());
  }

  @Test
  @DisplayName("rewrite-target with $1 on a Prefix path (no groups) is refused and the path served as is")
  void rewriteGroupsWithoutRegex() {
    IngressFixture ingress = nginxIngress("shop").annotation(P + "rewrite-target", "/$1")
        .host("shop.example.com").prefix("/api", "web", 80);
    Compiled c = compile(COMPAT, ingress, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    var route = c.route(ROUTE + "api");
    assertNull(((RouteAction.Forward) route.action()).prefixRewrite());
    warning(c.ingressStatus("default", "shop"), Reasons.NGINX_ANNOTATION_REFUSED);
  }

  @Test
  @DisplayName("app-root answers / with 302 to the path; x-forwarded-prefix and upstream-vhost set headers")
  void appRootAndHeaders() {
    Compiled c = compileWith(Map.of("app-root", "/app", "x-forwarded-prefix", "/shop",
        "upstream-vhost", "internal.example"));
    RouteAction.Redirect r = (RouteAction.Redirect) c.route(ROUTE + " (exact) app-root").action();
    assertEquals(new RouteAction.Redirect(null, null, 0, "/app", 302), r);
    assertEquals(Map.of("host", "internal.example", "x-forwarded-prefix", "/shop"),
        c.route(ROUTE).requestHeaders().set());
  }

  @Test
  @DisplayName("server-alias serves the Ingress's rules for the alias hosts too")
  void serverAlias() {
    Compiled c = compileWith(Map.of("server-alias", "www.example.com, shop.example.org"));
    assertTrue(c.hasRoute("ingress/default/shop/www.example.com/"));
    assertTrue(c.hasRoute("ingress/default/shop/shop.example.org/"));
  }

  // ------------------------------------------------------------------ redirects

  static Stream<Arguments> redirects() {
    return Stream.of(
        Arguments.of(Map.of("permanent-redirect", "https://new.example.com/x"),
            new RouteAction.Redirect("https", "new.example.com", 0, "/x", 301)),
        Arguments.of(Map.of("permanent-redirect", "https://new.example.com", "permanent-redirect-code", "308"),
            new RouteAction.Redirect("https", "new.example.com", 0, "/", 308)),
        Arguments.of(Map.of("temporal-redirect", "http://old.example.com:8080/y"),
            new RouteAction.Redirect("http", "old.example.com", 8080, "/y", 302)),
        Arguments.of(Map.of("temporal-redirect", "http://a.example/", "temporal-redirect-code", "307"),
            new RouteAction.Redirect("http", "a.example", 0, "/", 307)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("redirects")
  void redirect(Map<String, String> annotations, RouteAction.Redirect expected) {
    assertEquals(expected, compileWith(annotations).route(ROUTE).action());
  }

  // ------------------------------------------------------------------ upstream and balancing

  @Test
  @DisplayName("backend-protocol, timeouts and proxy-next-upstream")
  void upstream() {
    Compiled c = compileWith(Map.of("backend-protocol", "GRPC", "proxy-connect-timeout", "3",
        "proxy-read-timeout", "120", "proxy-send-timeout", "30",
        "proxy-next-upstream", "error timeout http_503 non_idempotent",
        "proxy-next-upstream-tries", "4"));
    RouteAction.Forward f = forward(c, ROUTE);
    var cluster = c.cluster(f.backends().get(0).cluster());
    assertEquals(Protocol.H2, cluster.policy().protocol());
    assertEquals(3000, cluster.policy().connectTimeoutMillis());
    assertEquals(120_000, f.idleTimeoutMillis());
    assertEquals(new RetryPolicy(3, List.of("connect-failure", "reset", "timeout", "503"), true, 0,
        RetryPolicy.DEFAULT.backoffBaseMillis(), RetryPolicy.DEFAULT.backoffMaxMillis()), f.retries());
  }

  static Stream<Arguments> balancing() {
    return Stream.of(
        Arguments.of(Map.of("load-balance", "ewma"), LoadBalancer.of(Policy.LEAST_REQUEST)),
        Arguments.of(Map.of("upstream-hash-by", "$remote_addr"),
            new LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, null)),
        Arguments.of(Map.of("upstream-hash-by", "$http_x_user"),
            new LoadBalancer(Policy.MAGLEV, HashOn.HEADER, "x-user", null)),
        Arguments.of(Map.of("upstream-hash-by", "$arg_id", "load-balance", "ewma"),
            new LoadBalancer(Policy.MAGLEV, HashOn.QUERY_PARAMETER, "id", null)),
        Arguments.of(Map.of("affinity", "cookie"),
            new LoadBalancer(Policy.COOKIE_AFFINITY, null, null, new AffinityCookie("INGRESSCOOKIE", 0, null,
                null, AffinityCookie.Secure.HTTPS_REQUESTS))),
        Arguments.of(Map.of("affinity", "cookie", "session-cookie-name", "route",
                "session-cookie-max-age", "3600", "session-cookie-path", "/shop",
                "session-cookie-samesite", "lax", "session-cookie-secure", "true"),
            new LoadBalancer(Policy.COOKIE_AFFINITY, null, null, new AffinityCookie("route", 3600, "/shop",
                AffinityCookie.SameSite.LAX, AffinityCookie.Secure.ALWAYS))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("balancing")
  void balancing(Map<String, String> annotations, LoadBalancer expected) {
    Compiled c = compileWith(annotations);
    assertEquals(expected, c.cluster(forward(c, ROUTE).backends().get(0).cluster()).policy().loadBalancer());
  }

  // ------------------------------------------------------------------ filters

  @Test
  @DisplayName("enable-cors applies ingress-nginx's defaults")
  void corsDefaults() {
    Compiled c = compileWith(Map.of("enable-cors", "true"));
    CorsPolicy cors = (CorsPolicy) c.route(ROUTE).filters().stream()
        .filter(f -> f instanceof CorsPolicy).findFirst()
        .orElseThrow(() -> new AssertionError(c.ingressStatus("default", "shop").events()));
    assertEquals(List.of("*"), cors.allowOrigins());
    assertFalse(cors.allowCredentials());
    assertEquals(1_728_000, cors.maxAgeSeconds());
    assertTrue(cors.allowMethods().contains("PATCH"));
  }

  @Test
  @DisplayName("enable-modsecurity turns our WAF on in detect mode")
  void modsecurity() {
    Compiled c = compileWith(Map.of("enable-modsecurity", "true", "enable-owasp-core-rules", "true"));
    WafSettings waf = (WafSettings) c.route(ROUTE).filters().stream()
        .filter(f -> f instanceof WafSettings).findFirst().orElseThrow();
    assertEquals(WafSettings.Mode.DETECT, waf.mode());
  }

  // ------------------------------------------------------------------ canary

  @Test
  @DisplayName("a canary Ingress splits the main route by weight and header")
  void canary() {
    IngressFixture main = nginxIngress("shop").host("shop.example.com").prefix("/", "web", 80);
    IngressFixture canary = nginxIngress("shop-canary").annotation(P + "canary", "true")
        .annotation(P + "canary-weight", "20").annotation(P + "canary-by-header", "X-Canary")
        .host("shop.example.com").prefix("/", "web-next", 80);
    Compiled c = compile(COMPAT, main, canary, backendWithEndpoints("default", "web", 80, "10.0.0.1"),
        backendWithEndpoints("default", "web-next", 80, "10.0.0.2"));
    List<WeightedBackend> split = forward(c, ROUTE).backends();
    assertEquals(List.of(20, 80), split.stream().map(WeightedBackend::weight).toList());
    assertTrue(split.get(0).cluster().contains("web-next"), split.toString());
    assertEquals(new HeaderMatch("x-canary", HeaderMatch.Type.EXACT, "always"),
        c.route(ROUTE + " [x-canary: always]").match().headers().get(0));
    assertEquals(1, forward(c, ROUTE + " [x-canary: always]").backends().size());
    assertTrue(forward(c, ROUTE + " [x-canary: always]").backends().get(0).cluster().contains("web-next"));
    assertTrue(forward(c, ROUTE + " [x-canary: never]").backends().get(0).cluster().contains("/web:"));
    assertFalse(c.hasRoute("ingress/default/shop-canary/shop.example.com/"));
  }

  @Test
  @DisplayName("a canary without a main Ingress is not served and says so")
  void canaryAlone() {
    IngressFixture canary = nginxIngress("shop-canary").annotation(P + "canary", "true")
        .host("shop.example.com").prefix("/", "web", 80);
    Compiled c = compile(COMPAT, canary, backendWithEndpoints("default", "web", 80, "10.0.0.1"));
    assertEquals(List.of(), c.hosts());
    warning(c.ingressStatus("default", "shop-canary"), Reasons.CANARY_WITHOUT_MAIN);
  }
}
