package io.portcullis.dataplane.filters.iprules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.clientaddress.ClientAddressSettings;
import io.portcullis.dataplane.clientaddress.TrustedProxies;
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
 * IP rules judge the client address the dataplane resolved: behind a trusted proxy (127.0.0.1
 * here) the client named in {@code X-Forwarded-For}; from an untrusted peer (127.0.0.2) the peer
 * itself, whatever it claims.
 */
class IpRulesBehindProxiesTest {
  private static final String HOST = "ip.example.com";
  private final TestBackend backend = new TestBackend();
  private ProxyServer proxy;
  private int port;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    LiveConfig config = new LiveConfig();
    VirtualHost vhost = new VirtualHost(HOST, List.of(
        Route.of("app", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("c"))),
        null, List.of(new IpRules(null, List.of("203.0.113.0/24"))));
    config.apply(Snapshot.of(List.of(vhost),
        List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backendPort)))), null));
    proxy = new ProxyServer(ProxySettings.builder().bindAddress("127.0.0.1").port(0)
        .workerThreads(1)
        .clientAddresses(ClientAddressSettings.DEFAULT
            .withTrustedProxies(TrustedProxies.parse("127.0.0.1")))
        .build(), config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  private int status(String source, String forwardedFor) throws Exception {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(10_000);
      socket.bind(new InetSocketAddress(source, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET / HTTP/1.1\r\nHost: " + HOST + "\r\nX-Forwarded-For: " + forwardedFor
          + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      socket.getInputStream().transferTo(all);
      return Integer.parseInt(all.toString(StandardCharsets.US_ASCII).substring(9, 12));
    }
  }

  @Test
  @DisplayName("behind a trusted proxy the forwarded client is judged")
  void trustedProxy() throws Exception {
    assertEquals(403, status("127.0.0.1", "203.0.113.7"));
    assertEquals(200, status("127.0.0.1", "198.51.100.7"));
    assertEquals(403, status("127.0.0.1", "203.0.113.7, 127.0.0.1"));
  }

  @Test
  @DisplayName("an untrusted peer is judged by its own address, whatever X-Forwarded-For says")
  void untrustedPeer() throws Exception {
    assertEquals(200, status("127.0.0.2", "203.0.113.7"));
    assertEquals(1, backend.requests.size());
  }
}
