package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class WebSocketTunnelTest {

  private static Snapshot snapshot(int backendPort, int extraRoutes) {
    List<Route> routes = new ArrayList<>();
    for (int i = 0; i < extraRoutes; i++) {
      routes.add(
          Route.of("extra-" + i, RouteMatch.path(new PathMatch.Prefix("/extra" + i)), RouteAction.Forward.to("ws")));
    }
    routes.add(Route.of("ws-route", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("ws")));
    return Snapshot.of(
        List.of(new VirtualHost(VirtualHost.ANY_HOST, routes)),
        List.of(new Cluster("ws", List.of(new Endpoint("127.0.0.1", backendPort)))),
        null);
  }

  @Test
  void upgradedConnectionEchoesAndSurvivesTwentyConfigChanges() throws Exception {
    LiveConfig config = new LiveConfig();
    try (TestBackend backend = new TestBackend()) {
      int backendPort = backend.start();
      config.apply(snapshot(backendPort, 0));
      ProxyServer proxy =
          new ProxyServer(
              ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1)
                  .downstreamIdleTimeout(Duration.ofSeconds(30)).build(),
              config,
              new ProxyMetrics());
      int port = proxy.start();
      try (Socket s = new Socket("127.0.0.1", port)) {
        s.setSoTimeout(5000);
        s.getOutputStream()
            .write(
                ("GET /ws HTTP/1.1\r\nHost: chat.test\r\nUpgrade: websocket\r\n"
                        + "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        + "Sec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
        String head = readHead(s.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 101"), head);
        assertTrue(head.toLowerCase().contains("upgrade: websocket"), head);
        assertEquals("websocket", backend.requests.get(0).headers().get("upgrade"));
        assertEcho(s, "first frame bytes");
        for (int i = 1; i <= 20; i++) {
          config.apply(snapshot(backendPort, i));
          assertEcho(s, "after change " + i);
        }
        assertEquals(21, new java.util.HashSet<>(versions(config, backendPort)).size());
      } finally {
        proxy.close();
      }
    }
  }

  private static List<String> versions(LiveConfig config, int backendPort) {
    List<String> v = new ArrayList<>();
    for (int i = 0; i <= 20; i++) {
      v.add(snapshot(backendPort, i).version());
    }
    return v;
  }

  private static void assertEcho(Socket s, String text) throws Exception {
    byte[] out = text.getBytes(StandardCharsets.UTF_8);
    s.getOutputStream().write(out);
    byte[] in = s.getInputStream().readNBytes(out.length);
    assertEquals(text, new String(in, StandardCharsets.UTF_8));
  }

  private static String readHead(InputStream in) throws Exception {
    StringBuilder sb = new StringBuilder();
    while (!sb.toString().endsWith("\r\n\r\n")) {
      int c = in.read();
      if (c < 0) {
        break;
      }
      sb.append((char) c);
    }
    return sb.toString();
  }
}
