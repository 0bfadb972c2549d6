package io.portcullis.dataplane.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.proxy.Router;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Redirect and HSTS decisions, without sockets. */
class TlsRouterTest {
  private final LiveConfig config = new LiveConfig();
  private final TlsRouter router = new TlsRouter(Router.of(config), config, () -> 8443);

  TlsRouterTest() {
    VirtualHost shop = new VirtualHost("shop.example.com", List.of(
        new Route("own-hsts", RouteMatch.path(new PathMatch.Exact("/own")),
            new RouteAction.DirectResponse(200, "own"),
            HeaderRewrite.NONE, new HeaderRewrite(Map.of("strict-transport-security", "max-age=1"), List.of())),
        Route.of("rest", RouteMatch.path(new PathMatch.Prefix("/")), new RouteAction.DirectResponse(200, "ok"))),
        new TlsPolicy(null, true, new TlsPolicy.Hsts(100, true)));
    config.apply(Snapshot.of(List.of(shop), List.of(), null));
  }

  private RouteDecision route(String scheme, String host, String path) {
    return router.route(new RequestHead(scheme, host, path, null, "GET", n -> null));
  }

  @Test
  @DisplayName("HTTPS responses of a host with HSTS carry the header, with includeSubDomains")
  void hsts() {
    var direct = assertInstanceOf(RouteDecision.Direct.class, route("https", "shop.example.com", "/"));
    assertEquals("max-age=100; includeSubDomains",
        direct.responseHeaders().set().get("strict-transport-security"));
  }

  @Test
  @DisplayName("a route's own Strict-Transport-Security header wins over the host's")
  void routeHeaderWins() {
    var direct = assertInstanceOf(RouteDecision.Direct.class, route("https", "shop.example.com", "/own"));
    assertEquals("max-age=1", direct.responseHeaders().set().get("strict-transport-security"));
  }

  @Test
  @DisplayName("plain HTTP is redirected with 308, the Host's case and trailing dot normalised")
  void redirect() {
    var redirect = assertInstanceOf(RouteDecision.Redirect.class, route("http", "SHOP.example.com.", "/a"));
    assertEquals(308, redirect.status());
    assertEquals("https://shop.example.com/a", redirect.location());
    var withPort = assertInstanceOf(RouteDecision.Redirect.class, route("http", "shop.example.com:8080", "/a"));
    assertEquals("https://shop.example.com:8443/a", withPort.location());
  }

  @Test
  @DisplayName("hosts without TLS, IP literals and no Host at all are routed normally")
  void others() {
    assertInstanceOf(RouteDecision.NotFound.class, route("http", "other.example.com", "/"));
    assertInstanceOf(RouteDecision.NotFound.class, route("http", "[::1]:8080", "/"));
    assertInstanceOf(RouteDecision.NotFound.class, route("http", null, "/"));
  }
}
