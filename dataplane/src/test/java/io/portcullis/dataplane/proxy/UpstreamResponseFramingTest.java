package io.portcullis.dataplane.proxy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.testing.RawBackend;
import io.portcullis.snapshot.HeaderRewrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * RFC 9112 §6.3 on the backend side, over real sockets: a backend that sends a body where none
 * may be (204, 304, a response to HEAD) or bytes after the end of its response must not
 * desynchronise the pooled connection. The client gets the response without the stray bytes,
 * and the next request, on the same proxy event loop, gets its own answer from a fresh backend
 * connection, never the leftover (a response-splitting vector).
 */
class UpstreamResponseFramingTest {
  private static final String SMUGGLED =
      "HTTP/1.1 200 OK\\r\\nContent-Length: 4\\r\\nX-Smuggled: yes\\r\\n\\r\\nEVIL";
  private static final String NEXT = "HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nnext";

  private RawBackend backend;
  private ProxyServer proxy;

  @AfterEach
  void stop() throws IOException {
    if (proxy != null) {
      proxy.close();
    }
    if (backend != null) {
      backend.close();
    }
  }

  private int proxyFor(String firstResponse) throws IOException {
    backend = new RawBackend(line -> line.contains("/next") ? NEXT : firstResponse);
    int port = backend.port();
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(1) // one event loop: one upstream pool the second request must use
                .responseTimeout(Duration.ofSeconds(3))
                .build(),
            head -> ProxyServerTest.forward(head, port, HeaderRewrite.NONE, HeaderRewrite.NONE),
            new ProxyMetrics());
    return proxy.start();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "204 with a Content-Length and a body|GET|HTTP/1.1 204 No Content\\r\\nContent-Length: 5\\r\\n\\r\\nhello",
        "204 with a chunked body|GET|HTTP/1.1 204 No Content\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n5\\r\\nhello\\r\\n0\\r\\n\\r\\n",
        "204 followed by a half line|GET|HTTP/1.1 204 No Content\\r\\n\\r\\nhello",
        "204 followed by a whole smuggled response|GET|HTTP/1.1 204 No Content\\r\\n\\r\\n" + SMUGGLED,
        "304 with a body|GET|HTTP/1.1 304 Not Modified\\r\\nContent-Length: 5\\r\\n\\r\\nhello",
        "304 followed by a smuggled response|GET|HTTP/1.1 304 Not Modified\\r\\n\\r\\n" + SMUGGLED,
        "HEAD answered with its body|HEAD|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\nhello",
        "HEAD answered with a smuggled response|HEAD|HTTP/1.1 200 OK\\r\\nContent-Length: 5\\r\\n\\r\\n" + SMUGGLED,
        "200 with bytes past its Content-Length|GET|HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nokhello",
        "200 followed by a smuggled response|GET|HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nok" + SMUGGLED,
        "100 then 204 with a body|GET|HTTP/1.1 100 Continue\\r\\n\\r\\nHTTP/1.1 204 No Content\\r\\nContent-Length: 5\\r\\n\\r\\nhello",
      })
  void strayBytesNeverReachTheNextRequest(String name, String method, String raw) throws Exception {
    int proxyPort = proxyFor(raw.replace("\\r\\n", "\r\n"));
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      send(s, method + " /first HTTP/1.1\r\nHost: a\r\n\r\n");
      String first = readHead(in);
      assertFalse(first.contains("X-Smuggled"), first);
      int status = Integer.parseInt(first.substring(9, 12));
      if (status == 200 && method.equals("GET")) {
        assertEquals("ok", new String(in.readNBytes(2), StandardCharsets.ISO_8859_1));
      }
      if (status == 204) {
        assertFalse(first.toLowerCase().contains("content-length: 5"), first);
        assertFalse(first.toLowerCase().contains("transfer-encoding"), first);
      }
      // The leftover has reached the proxy once it closed the tainted connection: only then does
      // the next request go out, so it cannot race the stray bytes.
      await().atMost(Duration.ofSeconds(10)).until(() -> backend.closed.get() >= 1);
      send(s, "GET /next HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
      String rest = readAll(in);
      assertTrue(rest.startsWith("HTTP/1.1 200 OK"), rest);
      assertTrue(rest.endsWith("next"), rest);
      assertFalse(rest.contains("EVIL") || rest.contains("hello"), rest);
    }
    assertEquals(2, backend.connections.get(), "the broken connection is not reused");
  }

  private static void send(Socket s, String request) throws IOException {
    s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
    s.getOutputStream().flush();
  }

  private static String readHead(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    int c;
    while ((c = in.read()) != -1) {
      head.write(c);
      String h = head.toString(StandardCharsets.ISO_8859_1);
      if (h.endsWith("\r\n\r\n")) {
        return h;
      }
    }
    return head.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readAll(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
  }
}
