package io.portcullis.dataplane.filters.iprules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.IpRules;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * IP rules through a real proxy and backend. Clients bind to different loopback addresses
 * (127.0.0.1 and 127.0.0.2: all of 127/8 is loopback on Linux) to arrive from different sources.
 */
class IpRulesEndToEndTest {
  private static final String HOST = "ip.example.com";
  private final TestBackend backend = new TestBackend();
  private final LiveConfig config = new LiveConfig();
  private ProxyServer proxy;
  private int port;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    // The host admits 127.0.0.0/8 but denies 127.0.0.2; /open switches the host's rules off;
    // /only-two admits 127.0.0.2 alone.
    IpRules hostRules = new IpRules(List.of("127.0.0.0/8"), List.of("127.0.0.2"));
    VirtualHost vhost = new VirtualHost(HOST, List.of(
        Route.of("open", RouteMatch.path(new PathMatch.Prefix("/open")), RouteAction.Forward.to("c"))
            .withFilters(List.of(new IpRules(List.of(), List.of()))),
        Route.of("only-two", RouteMatch.path(new PathMatch.Prefix("/only-two")),
            RouteAction.Forward.to("c")).withFilters(List.of(new IpRules(List.of("127.0.0.2"), null))),
        Route.of("app", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("c"))),
        null, List.of(hostRules));
    config.apply(Snapshot.of(List.of(vhost),
        List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backendPort)))), null));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  private String get(String source, String path) throws Exception {
    return FromAddress.get(source, port, HOST, path);
  }

  private static int status(String response) {
    return FromAddress.status(response);
  }

  @Test
  @DisplayName("an allowed client reaches the backend; a denied one gets 403 from the proxy")
  void denyWinsOverAllow() throws Exception {
    assertEquals(200, status(get("127.0.0.1", "/app")));
    assertEquals(1, backend.requests.size());
    long before = IpRulesMetrics.shared().count("app", "deny");
    String refused = get("127.0.0.2", "/app");
    assertEquals(403, status(refused));
    assertTrue(refused.endsWith("Forbidden: client address not allowed\n"), refused);
    assertEquals(1, backend.requests.size(), "the refused request never reached the backend");
    assertEquals(before + 1, IpRulesMetrics.shared().count("app", "deny"));
  }

  @Test
  @DisplayName("a route's own rules replace the host's: switched off, or another allow list")
  void routeReplacesHost() throws Exception {
    assertEquals(200, status(get("127.0.0.2", "/open")));
    assertEquals(200, status(get("127.0.0.2", "/only-two")));
    long before = IpRulesMetrics.shared().count("only-two", "allow");
    assertEquals(403, status(get("127.0.0.1", "/only-two")));
    assertEquals(before + 1, IpRulesMetrics.shared().count("only-two", "allow"));
    assertEquals(2, backend.requests.size());
  }
}
