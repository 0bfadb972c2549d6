package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.RouteAction;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Service + port to EndpointSlices to ready endpoints, and what the owner is told when not. */
class BackendResolutionTest {
  private static final String SHOP = "shop.example.com";
  private static final String ROUTE = "ingress/default/shop/shop.example.com/";

  private static Fixtures.IngressFixture shopTo(String service, int port) {
    return ingress("default", "shop").host(SHOP).prefix("/", service, port);
  }

  @Test
  @DisplayName("a Service port by number resolves to the slice port of the same name")
  void portByNumber() {
    Compiled c = compile(shopTo("web", 80),
        service("default", "web").port("http", 80).port("metrics", 9090),
        slice("default", "web").port("metrics", 9091).port("http", 8080).ready("10.0.0.1", "10.0.0.2"));
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080"), c.endpoints("default/web:80"));
    assertAllGood(c.ingressStatus("default", "shop"));
  }

  @Test
  @DisplayName("a Service port by name resolves, and the cluster is named by the port number")
  void portByName() {
    Compiled c = compile(ingress("default", "shop").host(SHOP).prefixToPortName("/", "web", "http"),
        service("default", "web").port("http", 80),
        slice("default", "web").port("http", 8080).ready("10.0.0.1"));
    assertEquals(RouteAction.Forward.to("default/web:80"), c.route(ROUTE).action());
    assertEquals(List.of("10.0.0.1:8080"), c.endpoints("default/web:80"));
  }

  @Test
  @DisplayName("endpoints from several slices of one Service are merged without duplicates")
  void severalSlices() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("default", "web").port(null, 8080).ready("10.0.0.1", "10.0.0.2"),
        slice("default", "web").port(null, 8080).ready("10.0.0.2", "10.0.0.3"));
    assertEquals(List.of("10.0.0.1:8080", "10.0.0.2:8080", "10.0.0.3:8080"), c.endpoints("default/web:80"));
  }

  @Test
  @DisplayName("endpoints whose ready condition is unset count as ready")
  void readyUnset() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("default", "web").port(null, 8080).readyUnset("10.0.0.1"));
    assertEquals(List.of("10.0.0.1:8080"), c.endpoints("default/web:80"));
  }

  @Test
  @DisplayName("not-ready and not-serving terminating endpoints are left out; serving terminating ones drain")
  void notReadyLeftOutTerminatingDrains() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("default", "web").port(null, 8080).ready("10.0.0.1").notReady("10.0.0.2")
            .terminating("10.0.0.3").terminatingServing("10.0.0.4").terminatingNotServing("10.0.0.5"));
    assertEquals(List.of(new Endpoint("10.0.0.1", 8080), new Endpoint("10.0.0.3", 8080, true),
        new Endpoint("10.0.0.4", 8080, true)), c.cluster("default/web:80").endpoints());
  }

  @Test
  @DisplayName("a Service whose only endpoints are terminating keeps them but says NoReadyEndpoints")
  void onlyTerminating() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("default", "web").port(null, 8080).terminatingServing("10.0.0.4"));
    assertEquals(List.of(new Endpoint("10.0.0.4", 8080, true)), c.cluster("default/web:80").endpoints());
    assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, false,
        Reasons.NO_READY_ENDPOINTS, "no ready endpoints");
  }

  @Test
  @DisplayName("an address listed ready in one slice and terminating in another is one ready endpoint")
  void sameAddressTwice() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("default", "web").port(null, 8080).terminatingServing("10.0.0.1"),
        slice("default", "web").port(null, 8080).ready("10.0.0.1"));
    assertEquals(List.of(new Endpoint("10.0.0.1", 8080)), c.cluster("default/web:80").endpoints());
  }

  @Test
  @DisplayName("slices of a Service of the same name in another namespace are not used")
  void otherNamespaceSlices() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("other", "web").port(null, 8080).ready("10.9.9.9"));
    assertTrue(c.endpoints("default/web:80").isEmpty());
  }

  @Test
  @DisplayName("a missing Service keeps the route (503) and says ServiceNotFound")
  void missingService() {
    Compiled c = compile(shopTo("ghost", 80));
    assertEquals(RouteAction.Forward.to("default/ghost:80"), c.route(ROUTE).action());
    assertTrue(c.cluster("default/ghost:80").endpoints().isEmpty());
    ObjectStatus s = c.ingressStatus("default", "shop");
    assertCondition(s, Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
    assertCondition(s, Reasons.RESOLVED_REFS, false, Reasons.SERVICE_NOT_FOUND, "default/ghost");
    warning(s, Reasons.SERVICE_NOT_FOUND);
    assertEquals(List.of(ROUTE), s.routeNames());
  }

  @Test
  @DisplayName("a missing Service port keeps the route (503) and says PortNotFound")
  void missingPort() {
    Compiled c = compile(shopTo("web", 81), service("default", "web").port(null, 80));
    assertTrue(c.cluster("default/web:81").endpoints().isEmpty());
    assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, false, Reasons.PORT_NOT_FOUND, "port 81");
  }

  @Test
  @DisplayName("a missing named port keeps the route and says PortNotFound")
  void missingNamedPort() {
    Compiled c = compile(ingress("default", "shop").host(SHOP).prefixToPortName("/", "web", "grpc"),
        service("default", "web").port("http", 80));
    assertEquals(RouteAction.Forward.to("default/web:grpc"), c.route(ROUTE).action());
    assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, false, Reasons.PORT_NOT_FOUND, "grpc");
  }

  @Test
  @DisplayName("a Service with no ready endpoint keeps the route and says NoReadyEndpoints")
  void noReadyEndpoints() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("default", "web").port(null, 8080).notReady("10.0.0.1"));
    assertTrue(c.cluster("default/web:80").endpoints().isEmpty());
    assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, false, Reasons.NO_READY_ENDPOINTS, "default/web port 80");
  }

  @Test
  @DisplayName("a slice port with another name than the Service port gives no endpoints")
  void slicePortNameMismatch() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port("http", 80),
        slice("default", "web").port("admin", 8080).ready("10.0.0.1"));
    assertTrue(c.cluster("default/web:80").endpoints().isEmpty());
  }

  @Test
  @DisplayName("an ExternalName Service is not supported: route kept (503), UnsupportedBackend")
  void externalName() {
    Compiled c = compile(shopTo("ext", 80), service("default", "ext").externalName("example.org").port(null, 80));
    assertTrue(c.cluster("default/ext:80").endpoints().isEmpty());
    assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, false, Reasons.UNSUPPORTED_BACKEND, "ExternalName");
  }

  @Test
  @DisplayName("a Service in another namespace is not reachable from an Ingress")
  void crossNamespaceNotReachable() {
    Compiled c = compile(shopTo("web", 80), backendWithEndpoints("other", "web", 80, "10.0.0.1"));
    assertCondition(c.ingressStatus("default", "shop"), Reasons.RESOLVED_REFS, false, Reasons.SERVICE_NOT_FOUND, null);
  }

  @Test
  @DisplayName("many paths to one missing Service make one event, not one per path")
  void eventsDeduplicated() {
    Compiled c = compile(ingress("default", "shop").host(SHOP).prefix("/a", "ghost", 80).prefix("/b", "ghost", 80));
    assertEquals(1, c.ingressStatus("default", "shop").events().size());
  }

  @Test
  @DisplayName("IPv6 endpoints are carried as literals")
  void ipv6() {
    Compiled c = compile(shopTo("web", 80), service("default", "web").port(null, 80),
        slice("default", "web").port(null, 8080).ready("fd00::1"));
    assertEquals(List.of("[fd00::1]:8080"), c.endpoints("default/web:80"));
  }
}
