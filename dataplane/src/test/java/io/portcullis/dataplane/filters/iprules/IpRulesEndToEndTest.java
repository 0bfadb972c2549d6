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
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
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

  /** One HTTP/1.1 request from {@code source}; the status line and body. */
  private String get(String source, String path) throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(10_000);
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + HOST + "\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      String response = all.toString(StandardCharsets.UTF_8);
      int headEnd = response.indexOf("\r\n\r\n");
      return response.substring(0, response.indexOf("\r\n")) + "\n" + response.substring(headEnd + 4);
    }
  }

  private static int status(String response) {
    return Integer.parseInt(response.substring(9, 12));
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
