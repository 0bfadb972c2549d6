package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.VirtualHost;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** Ingress semantics, one named situation per case: Ingresses in, routes and statuses out. */
class IngressCompileTest {

  private static final String SHOP = "shop.example.com";

  @Nested
  @DisplayName("class selection")
  class ClassSelection {
    @Test
    @DisplayName("an Ingress naming our IngressClass is ours")
    void namingOurClassIsOurs() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("/", "web", 80));
      assertEquals(List.of("ingress/default/shop/shop.example.com/"), c.routeNames(SHOP));
      assertEquals(List.of("Ingress default/shop"), c.statusObjects());
    }

    @Test
    @DisplayName("an Ingress naming another controller's class is ignored and gets no status")
    void otherClassIgnored() {
      Compiled c = compile(ourClass(), ingressClass("nginx", "k8s.io/ingress-nginx", false),
          ingress("default", "shop").className("nginx").host(SHOP).prefix("/", "web", 80));
      assertTrue(c.hosts().isEmpty());
      assertTrue(c.result().statuses().isEmpty());
    }

    @Test
    @DisplayName("a class named like ours but run by another controller is not ours")
    void ourNameOtherController() {
      Compiled c = compile(ingressClass("portcullis", "example.com/other", false),
          ingress("default", "shop").host(SHOP).prefix("/", "web", 80));
      assertTrue(c.hosts().isEmpty());
    }

    @Test
    @DisplayName("an Ingress naming a class that does not exist is not ours")
    void missingClassNotOurs() {
      Compiled c = compile(ourClass(), ingress("default", "shop").className("ghost").host(SHOP).prefix("/", "web", 80));
      assertTrue(c.result().statuses().isEmpty());
    }

    @Test
    @DisplayName("another IngressClass of our controller under a name other than --ingress-class is not ours")
    void ourControllerOtherName() {
      Compiled c = compile(ourClass(), ingressClass("portcullis-internal", CompilerSettings.CONTROLLER_NAME, false),
          ingress("default", "shop").className("portcullis-internal").host(SHOP).prefix("/", "web", 80));
      assertTrue(c.result().statuses().isEmpty());
    }

    @Test
    @DisplayName("an Ingress without class is ours when our class is the default")
    void noClassDefaultIsOurs() {
      Compiled c = compile(ingressClass("portcullis", CompilerSettings.CONTROLLER_NAME, true),
          ingress("default", "shop").className(null).host(SHOP).prefix("/", "web", 80));
      assertEquals(1, c.routeNames(SHOP).size());
    }

    @Test
    @DisplayName("an Ingress without class is not ours when our class is not the default")
    void noClassNotDefaultNotOurs() {
      Compiled c = compile(ourClass(), ingress("default", "shop").className(null).host(SHOP).prefix("/", "web", 80));
      assertTrue(c.hosts().isEmpty());
    }

    @Test
    @DisplayName("the legacy kubernetes.io/ingress.class annotation with our class name makes it ours")
    void legacyAnnotationOurs() {
      Compiled c = compile(ingress("default", "shop").className(null)
          .annotation("kubernetes.io/ingress.class", "portcullis").host(SHOP).prefix("/", "web", 80));
      assertEquals(1, c.routeNames(SHOP).size());
    }

    @Test
    @DisplayName("the legacy annotation naming another class wins over a default class of ours")
    void legacyAnnotationOther() {
      Compiled c = compile(ingressClass("portcullis", CompilerSettings.CONTROLLER_NAME, true),
          ingress("default", "shop").className(null)
              .annotation("kubernetes.io/ingress.class", "nginx").host(SHOP).prefix("/", "web", 80));
      assertTrue(c.hosts().isEmpty());
    }

    @Test
    @DisplayName("spec.ingressClassName naming our class wins over a legacy annotation naming another")
    void fieldBeatsAnnotation() {
      Compiled c = compile(ingress("default", "shop").className("portcullis")
          .annotation("kubernetes.io/ingress.class", "nginx").host(SHOP).prefix("/", "web", 80));
      assertEquals(1, c.routeNames(SHOP).size());
    }

    @Test
    @DisplayName("--ingress-class picks which class name is ours")
    void customClassName() {
      Compiled c = compile(new CompilerSettings("edge", null),
          ingressClass("edge", CompilerSettings.CONTROLLER_NAME, false),
          ingress("default", "a").className("edge").host(SHOP).prefix("/", "web", 80),
          ingress("default", "b").className("portcullis").host("b.example.com").prefix("/", "web", 80));
      assertEquals(List.of(SHOP), c.hosts());
    }
  }

  @Nested
  @DisplayName("hosts")
  class Hosts {
    @Test
    @DisplayName("a host is lower-cased")
    void hostLowerCased() {
      Compiled c = compile(ingress("default", "shop").host("Shop.Example.COM").prefix("/", "web", 80));
      assertEquals(List.of(SHOP), c.hosts());
    }

    @Test
    @DisplayName("a wildcard host becomes a wildcard virtual host")
    void wildcardHost() {
      Compiled c = compile(ingress("default", "shop").host("*.example.com").prefix("/", "web", 80));
      assertEquals(List.of("*.example.com"), c.hosts());
      assertTrue(c.snapshot().virtualHosts().get(0).isWildcard());
    }

    @Test
    @DisplayName("a rule without host serves every host")
    void noHostIsAnyHost() {
      Compiled c = compile(ingress("default", "shop").anyHost().prefix("/", "web", 80));
      assertEquals(List.of(VirtualHost.ANY_HOST), c.hosts());
    }

    @Test
    @DisplayName("an IP address as host rejects that rule only")
    void ipHostRejected() {
      Compiled c = compile(ingress("default", "shop")
          .host("10.0.0.1").prefix("/", "web", 80)
          .host(SHOP).prefix("/", "web", 80));
      assertEquals(List.of(SHOP), c.hosts());
      assertCondition(c.ingressStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "10.0.0.1");
      warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ROUTE);
    }

    @Test
    @DisplayName("a wildcard that is not the first label is rejected")
    void wildcardInMiddleRejected() {
      Compiled c = compile(ingress("default", "shop").host("shop.*.com").prefix("/", "web", 80));
      assertTrue(c.hosts().isEmpty());
      assertCondition(c.ingressStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "wildcard");
    }

    @Test
    @DisplayName("a host with an underscore is rejected")
    void badCharactersRejected() {
      Compiled c = compile(ingress("default", "shop").host("shop_1.example.com").prefix("/", "web", 80));
      assertTrue(c.hosts().isEmpty());
      assertCondition(c.ingressStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "shop_1");
    }

    @Test
    @DisplayName("a host with a port is rejected")
    void hostWithPortRejected() {
      Compiled c = compile(ingress("default", "shop").host("shop.example.com:8080").prefix("/", "web", 80));
      assertTrue(c.hosts().isEmpty());
    }
  }

  @Nested
  @DisplayName("paths")
  class Paths {
    @Test
    @DisplayName("prefix /foo compiles to an element-wise Prefix match (so it never matches /foobar)")
    void prefixIsElementWise() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("/foo", "web", 80));
      assertEquals(new PathMatch.Prefix("/foo"), c.route("ingress/default/shop/shop.example.com/foo").match().path());
    }

    @Test
    @DisplayName("a trailing slash in a Prefix path is ignored")
    void trailingSlashIgnored() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("/foo/", "web", 80));
      assertEquals(new PathMatch.Prefix("/foo"), c.route("ingress/default/shop/shop.example.com/foo").match().path());
    }

    @Test
    @DisplayName("an Exact path compiles to a whole-path match")
    void exactPath() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).exact("/login", "web", 80));
      assertEquals(new PathMatch.Exact("/login"), c.route("ingress/default/shop/shop.example.com/login (exact)").match().path());
    }

    @Test
    @DisplayName("ImplementationSpecific without the regex annotation is a Prefix")
    void implementationSpecificIsPrefix() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).implementationSpecific("/api/", "web", 80));
      assertEquals(new PathMatch.Prefix("/api"), c.route("ingress/default/shop/shop.example.com/api").match().path());
    }

    @Test
    @DisplayName("ImplementationSpecific with use-regex is an RE2 regex")
    void implementationSpecificRegex() {
      Compiled c = compile(ingress("default", "shop").useRegex().host(SHOP).implementationSpecific("/api/v[0-9]+/.*", "web", 80));
      assertEquals(new PathMatch.Regex("/api/v[0-9]+/.*"), c.route("ingress/default/shop/shop.example.com/api/v[0-9]+/.* (regex)").match().path());
    }

    @Test
    @DisplayName("use-regex does not turn Prefix paths into regexes")
    void useRegexLeavesPrefixAlone() {
      Compiled c = compile(ingress("default", "shop").useRegex().host(SHOP).prefix("/a.b", "web", 80));
      assertEquals(new PathMatch.Prefix("/a.b"), c.route("ingress/default/shop/shop.example.com/a.b").match().path());
    }

    @Test
    @DisplayName("an invalid regex rejects only its own path")
    void invalidRegexRejectsItsPathOnly() {
      Compiled c = compile(ingress("default", "shop").useRegex().host(SHOP)
          .implementationSpecific("/api/(unclosed", "web", 80)
          .implementationSpecific("/ok", "web", 80));
      assertEquals(List.of("ingress/default/shop/shop.example.com/ok (regex)"), c.routeNames(SHOP));
      assertCondition(c.ingressStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "invalid path regex");
    }

    @Test
    @DisplayName("a backtracking-only construct (backreference) is refused by RE2")
    void backreferenceRefused() {
      Compiled c = compile(ingress("default", "shop").useRegex().host(SHOP).implementationSpecific("/(a)\\1", "web", 80));
      assertTrue(c.routeNames(SHOP).isEmpty());
    }

    @Test
    @DisplayName("a path not starting with / is rejected")
    void relativePathRejected() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("api", "web", 80));
      assertTrue(c.hosts().isEmpty());
      assertCondition(c.ingressStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "must start with /");
    }

    @Test
    @DisplayName("an unknown pathType is rejected")
    void unknownPathType() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).path("Glob", "/a", backend("web", 80)));
      assertTrue(c.hosts().isEmpty());
      assertCondition(c.ingressStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "Glob");
    }

    @Test
    @DisplayName("a path with a query string can never match and is rejected")
    void queryInPathRejected() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).exact("/a?b=1", "web", 80));
      assertTrue(c.hosts().isEmpty());
    }
  }

  @Nested
  @DisplayName("route priority")
  class Priority {
    @Test
    @DisplayName("the longest path comes first whatever the order in the Ingress")
    void longestFirst() {
      Compiled c = compile(ingress("default", "shop").host(SHOP)
          .prefix("/", "web", 80).prefix("/api/v1", "web", 80).prefix("/api", "web", 80));
      assertEquals(List.of("ingress/default/shop/shop.example.com/api/v1", "ingress/default/shop/shop.example.com/api", "ingress/default/shop/shop.example.com/"),
          c.routeNames(SHOP));
    }

    @Test
    @DisplayName("on equal length Exact comes before Prefix")
    void exactBeforePrefix() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("/api", "web", 80).exact("/api", "web", 80));
      assertEquals(List.of("ingress/default/shop/shop.example.com/api (exact)", "ingress/default/shop/shop.example.com/api"), c.routeNames(SHOP));
    }

    @Test
    @DisplayName("on equal length a regex comes after Exact and before Prefix")
    void regexBetween() {
      Compiled c = compile(ingress("default", "shop").useRegex().host(SHOP)
          .prefix("/abcd", "web", 80).implementationSpecific("/a.cd", "web", 80).exact("/abcd", "web", 80));
      assertEquals(List.of("ingress/default/shop/shop.example.com/abcd (exact)", "ingress/default/shop/shop.example.com/a.cd (regex)", "ingress/default/shop/shop.example.com/abcd"),
          c.routeNames(SHOP));
    }

    @Test
    @DisplayName("routes of several Ingresses on one host merge and are ordered together")
    void mergedAcrossIngresses() {
      Compiled c = compile(
          ingress("default", "a").host(SHOP).prefix("/", "web", 80),
          ingress("default", "b").host(SHOP).prefix("/cart", "web", 80));
      assertEquals(List.of("ingress/default/b/shop.example.com/cart", "ingress/default/a/shop.example.com/"), c.routeNames(SHOP));
    }

    @Test
    @DisplayName("equal paths on different hosts do not interfere")
    void differentHosts() {
      Compiled c = compile(
          ingress("default", "a").host("a.example.com").prefix("/", "web", 80),
          ingress("default", "b").host("b.example.com").prefix("/", "web", 80),
          backendWithEndpoints("default", "web", 80, "10.0.0.1"));
      assertEquals(List.of("a.example.com", "b.example.com"), c.hosts());
      assertAllGood(c.ingressStatus("default", "b"));
    }

    @Test
    @DisplayName("the same objects in another order compile to the same version")
    void deterministic() {
      Object a = ingress("default", "a").host(SHOP).prefix("/x", "web", 80).build();
      Object b = ingress("other", "b").host(SHOP).prefix("/y", "web", 80).build();
      assertEquals(compile(a, b).snapshot().version(), compile(b, a).snapshot().version());
    }
  }

  @Nested
  @DisplayName("conflicts")
  class Conflicts {
    @Test
    @DisplayName("same host, path and type: the older Ingress wins and the newer is told who won")
    void olderWins() {
      Compiled c = compile(
          ingress("default", "new").created(NEW).host(SHOP).prefix("/api", "web", 80),
          ingress("default", "old").created(OLD).host(SHOP).prefix("/api", "web", 80),
          backendWithEndpoints("default", "web", 80, "10.0.0.1"));
      assertEquals(List.of("ingress/default/old/shop.example.com/api"), c.routeNames(SHOP));
      assertTrue(warning(c.ingressStatus("default", "new"), Reasons.HOST_CONFLICT).message().contains("Ingress default/old"));
      assertAllGood(c.ingressStatus("default", "old"));
      assertTrue(c.ingressStatus("default", "new").routeNames().isEmpty());
    }

    @Test
    @DisplayName("with equal timestamps the namespace/name order decides")
    void tieByName() {
      Compiled c = compile(
          ingress("zeta", "shop").created(OLD).host(SHOP).prefix("/api", "web", 80),
          ingress("alpha", "shop").created(OLD).host(SHOP).prefix("/api", "web", 80));
      assertEquals(List.of("ingress/alpha/shop/shop.example.com/api"), c.routeNames(SHOP));
    }

    @Test
    @DisplayName("Prefix /api and Prefix /api/ are the same rule and conflict")
    void trailingSlashConflicts() {
      Compiled c = compile(
          ingress("default", "old").created(OLD).host(SHOP).prefix("/api", "web", 80),
          ingress("default", "new").created(NEW).host(SHOP).prefix("/api/", "web", 80));
      assertEquals(List.of("ingress/default/old/shop.example.com/api"), c.routeNames(SHOP));
    }

    @Test
    @DisplayName("Exact /api and Prefix /api do not conflict")
    void differentTypesDoNotConflict() {
      Compiled c = compile(
          ingress("default", "old").created(OLD).host(SHOP).prefix("/api", "web", 80),
          ingress("default", "new").created(NEW).host(SHOP).exact("/api", "web", 80),
          backendWithEndpoints("default", "web", 80, "10.0.0.1"));
      assertEquals(2, c.routeNames(SHOP).size());
      assertAllGood(c.ingressStatus("default", "new"));
    }

    @Test
    @DisplayName("the losing route's cluster is not left in the snapshot")
    void loserLeavesNoCluster() {
      Compiled c = compile(
          ingress("default", "old").created(OLD).host(SHOP).prefix("/api", "web", 80),
          ingress("default", "new").created(NEW).host(SHOP).prefix("/api", "other", 80));
      assertEquals(List.of("default/web:80"), c.snapshot().clusters().stream().map(x -> x.name()).toList());
    }
  }

  @Nested
  @DisplayName("default backend")
  class DefaultBackend {
    @Test
    @DisplayName("without any default backend, unmatched requests get 404 (no default cluster)")
    void noDefault() {
      assertNull(compile(ingress("default", "shop").host(SHOP).prefix("/", "web", 80)).snapshot().defaultCluster());
    }

    @Test
    @DisplayName("the oldest Ingress's defaultBackend is used and newer ones are told")
    void oldestDefaultWins() {
      Compiled c = compile(
          ingress("default", "new").created(NEW).defaultBackend("fallback-new", 80),
          ingress("default", "old").created(OLD).defaultBackend("fallback-old", 80),
          backendWithEndpoints("default", "fallback-old", 80, "10.0.0.9"));
      assertEquals("default/fallback-old:80", c.snapshot().defaultCluster());
      assertTrue(c.ingressStatus("default", "new").events().stream()
          .anyMatch(e -> e.reason().equals(Reasons.DEFAULT_BACKEND_IGNORED) && e.message().contains("default/old")));
    }

    @Test
    @DisplayName("--default-backend is used when no Ingress has one")
    void settingsDefault() {
      Compiled c = compile(new CompilerSettings("portcullis", ServiceRef.parse("ops/fallback:8080")),
          ingress("default", "shop").host(SHOP).prefix("/", "web", 80));
      assertEquals("ops/fallback:8080", c.snapshot().defaultCluster());
      assertTrue(c.cluster("ops/fallback:8080").endpoints().isEmpty());
    }

    @Test
    @DisplayName("an Ingress defaultBackend beats --default-backend")
    void ingressBeatsSettings() {
      Compiled c = compile(new CompilerSettings("portcullis", ServiceRef.parse("ops/fallback:8080")),
          ingress("default", "shop").defaultBackend("mine", 80));
      assertEquals("default/mine:80", c.snapshot().defaultCluster());
    }

    @Test
    @DisplayName("a resource defaultBackend is unsupported: an event, and the next one is used")
    void resourceDefaultUnsupported() {
      Compiled c = compile(
          ingress("default", "old").created(OLD).resourceDefaultBackend(),
          ingress("default", "new").created(NEW).defaultBackend("web", 80));
      assertEquals("default/web:80", c.snapshot().defaultCluster());
      warning(c.ingressStatus("default", "old"), Reasons.UNSUPPORTED_BACKEND);
    }

    @Test
    @DisplayName("a default backend whose Service is missing still takes unmatched requests (503) and says so")
    void defaultBackendMissingService() {
      Compiled c = compile(ingress("default", "shop").defaultBackend("ghost", 80));
      assertEquals("default/ghost:80", c.snapshot().defaultCluster());
      assertTrue(c.cluster("default/ghost:80").endpoints().isEmpty());
      assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, false, Reasons.SERVICE_NOT_FOUND, "defaultBackend");
    }

    @Test
    @DisplayName("an Ingress of another class never provides the default backend")
    void otherClassDefaultIgnored() {
      Compiled c = compile(ourClass(), ingress("default", "x").className("nginx").defaultBackend("web", 80));
      assertNull(c.snapshot().defaultCluster());
    }
  }

  @Nested
  @DisplayName("rejected backends")
  class RejectedBackends {
    @Test
    @DisplayName("a resource backend on a path rejects that path")
    void resourceBackendOnPath() {
      Compiled c = compile(ingress("default", "shop").host(SHOP).path("Prefix", "/", resourceBackend()));
      assertTrue(c.hosts().isEmpty());
      assertCondition(c.ingressStatus("default", "shop"), Reasons.ACCEPTED, false, Reasons.UNSUPPORTED_BACKEND, "resource");
    }

    @Test
    @DisplayName("one bad rule does not stop the good rules of the same Ingress")
    void badRuleAlone() {
      Compiled c = compile(ingress("default", "shop")
          .host("bad host").prefix("/", "web", 80)
          .host(SHOP).prefix("/", "web", 80).exact("nope", "web", 80));
      assertEquals(List.of("ingress/default/shop/shop.example.com/"), c.routeNames(SHOP));
      assertEquals(List.of("ingress/default/shop/shop.example.com/"), c.ingressStatus("default", "shop").routeNames());
    }
  }

  @Test
  @DisplayName("an Ingress route forwards to the ns/service:port cluster")
  void forwardAction() {
    Compiled c = compile(ingress("shop", "front").host(SHOP).prefix("/", "web", 80),
        backendWithEndpoints("shop", "web", 80, "10.0.0.1"));
    assertEquals(RouteAction.Forward.to("shop/web:80"), c.route("ingress/shop/front/shop.example.com/").action());
    assertAllGood(c.ingressStatus("shop", "front"));
  }

  @Test
  @DisplayName("a TLS section naming a missing Secret gets a warning but routing is unchanged")
  void tlsSecretMissing() {
    Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("/", "web", 80).tls("shop-tls", SHOP));
    warning(c.ingressStatus("default", "shop"), Reasons.INVALID_TLS_SECRET);
    assertEquals(1, c.routeNames(SHOP).size());
  }

  @Test
  @DisplayName("a TLS Secret of the wrong type gets a warning; the right type none")
  void tlsSecretType() {
    Compiled wrong = compile(ingress("default", "shop").host(SHOP).prefix("/", "web", 80).tls("s", SHOP),
        secret("default", "s", "Opaque"));
    assertTrue(warning(wrong.ingressStatus("default", "shop"), Reasons.INVALID_TLS_SECRET).message().contains("kubernetes.io/tls"));
    Compiled right = compile(ingress("default", "shop").host(SHOP).prefix("/", "web", 80).tls("s", SHOP),
        secret("default", "s", "kubernetes.io/tls"));
    // The right type passes this check (an empty one is then reported for its missing keys).
    assertFalse(right.ingressStatus("default", "shop").events().stream().anyMatch(e -> e.message().contains("not kubernetes.io/tls")));
  }

  @Test
  @DisplayName("an Ingress of an unforeseen shape (a null path entry) is rejected alone; others serve")
  void malformedIngressRejectedAlone() {
    io.fabric8.kubernetes.api.model.networking.v1.Ingress broken =
        ingress("default", "broken").host("b.example.com").prefix("/", "web", 80).build();
    broken.getSpec().getRules().get(0).getHttp().getPaths().add(null);
    Compiled c = compile(broken, ingress("default", "shop").host(SHOP).prefix("/", "web", 80));
    assertEquals(List.of(SHOP), c.hosts());
    assertCondition(c.ingressStatus("default", "broken"), Reasons.ACCEPTED, false, Reasons.INVALID_ROUTE, "could not be compiled");
    assertTrue(c.ingressStatus("default", "broken").routeNames().isEmpty());
  }

  @Test
  @DisplayName("an empty cluster compiles to an empty snapshot with a stable version")
  void emptyState() {
    Compiled c = compile();
    assertTrue(c.hosts().isEmpty());
    assertEquals(io.portcullis.snapshot.Snapshot.empty().version(), c.snapshot().version());
  }
}
