package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
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
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The connection idle timeouts through real sockets: a quiet client connection and a quiet pooled
 * backend connection are closed, and a client that reads a large response slowly is not cut off
 * although the whole transfer takes many idle timeouts.
 */
class ConnectionIdleTimeoutTest {
  private static final Duration IDLE = Duration.ofMillis(400);
  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @Test
  void aKeepAliveClientConnectionThatGoesQuietIsClosed() throws Exception {
    try (TestBackend backend = new TestBackend()) {
      ProxyServer proxy = proxy(backend.start(), IDLE, Duration.ofMinutes(1));
      try (Socket s = new Socket("127.0.0.1", proxy.start())) {
        s.setSoTimeout((int) DEADLINE.toMillis());
        get(s.getOutputStream());
        String head = readHead(s.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        skipBody(s.getInputStream(), head);
        // Nothing more is sent: the proxy closes (EOF) after the idle timeout, not the socket timeout.
        assertEquals(-1, s.getInputStream().read());
      } finally {
        proxy.close();
      }
    }
  }

  @Test
  void aPooledBackendConnectionThatGoesQuietIsClosed() throws Exception {
    try (TestBackend backend = new TestBackend()) {
      ProxyServer proxy = proxy(backend.start(), Duration.ofMinutes(1), IDLE);
      try (Socket s = new Socket("127.0.0.1", proxy.start())) {
        s.setSoTimeout((int) DEADLINE.toMillis());
        get(s.getOutputStream());
        String head = readHead(s.getInputStream());
        assertTrue(head.startsWith("HTTP/1.1 200"), head);
        assertEquals(1, backend.connections.get());
        await().atMost(DEADLINE).until(() -> backend.closedConnections.get() == 1);
        // The client's own connection is not idle-timed out yet and still serves.
        skipBody(s.getInputStream(), head);
        get(s.getOutputStream());
        assertTrue(readHead(s.getInputStream()).startsWith("HTTP/1.1 200"));
        assertEquals(2, backend.connections.get());
      } finally {
        proxy.close();
      }
    }
  }

  @Test
  void aClientReadingALargeResponseSlowlyIsNotCutOff() throws Exception {
    byte[] body = new byte[4 * 1024 * 1024];
    Arrays.fill(body, (byte) 'x');
    HttpServer backend = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    backend.createContext("/", exchange -> {
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
    backend.start();
    // Both sides: the backend connection also waits while the client reads (back-pressure).
    ProxyServer proxy = proxy(backend.getAddress().getPort(), IDLE, IDLE);
    try (Socket s = new Socket("127.0.0.1", proxy.start())) {
      s.setReceiveBufferSize(16 * 1024);
      s.setSoTimeout((int) DEADLINE.toMillis());
      get(s.getOutputStream());
      InputStream in = s.getInputStream();
      String head = readHead(in);
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      // 16 KiB every 10 ms: 4 MiB take about 2.5 s, several idle timeouts.
      byte[] chunk = new byte[16 * 1024];
      long received = 0;
      int n;
      while (received < body.length && (n = in.read(chunk)) > 0) {
        received += n;
        Thread.sleep(10);
      }
      assertEquals(body.length, received);
    } finally {
      proxy.close();
      backend.stop(0);
    }
  }

  private static ProxyServer proxy(int backendPort, Duration downstreamIdle, Duration upstreamIdle) {
    LiveConfig config = new LiveConfig();
    config.apply(Snapshot.of(
        List.of(new VirtualHost(VirtualHost.ANY_HOST, List.of(
            Route.of("all", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("b"))))),
        List.of(new Cluster("b", List.of(new Endpoint("127.0.0.1", backendPort)))),
        null));
    return new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1)
            .downstreamIdleTimeout(downstreamIdle).upstreamIdleTimeout(upstreamIdle).build(),
        config,
        new ProxyMetrics());
  }

  private static void get(OutputStream out) throws IOException {
    out.write("GET /x HTTP/1.1\r\nHost: idle.test\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
    out.flush();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int matched = 0;
    while (matched < 4) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("closed before the end of the head: " + head);
      }
      head.write(b);
      matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  private static void skipBody(InputStream in, String head) throws IOException {
    String lower = head.toLowerCase();
    int at = lower.indexOf("content-length:");
    assertTrue(at >= 0, head);
    int end = lower.indexOf("\r\n", at);
    long length = Long.parseLong(lower.substring(at + "content-length:".length(), end).trim());
    for (long i = 0; i < length; i++) {
      if (in.read() < 0) {
        throw new IOException("closed inside the body");
      }
    }
  }
}
