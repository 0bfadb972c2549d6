package io.portcullis.dataplane.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.HeaderRewrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Malformed and smuggling-style HTTP/1.1 requests as raw bytes over a real socket (RFC 9112,
 * RFC 9110 §6.5.1 and §7.2): each gets its 4xx and a closed connection, never silence, and none
 * reaches the backend whole.
 */
class Http1HostileRequestTest {
  private static final String CHUNKED = "POST /c HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n";

  private static final String CHUNKED_HEAD_NOMINATED =
      "POST /c HTTP/1.1\\r\\nHost: a\\r\\nConnection: transfer-encoding\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n";

  private final TestBackend backend = new TestBackend();
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() {
    int backendPort = backend.start();
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(1)
                .responseTimeout(Duration.ofSeconds(5))
                .build(),
            head -> ProxyServerTest.forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE),
            new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "chunk size with a trailing space|" + CHUNKED + "5 \\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk size with a leading space|" + CHUNKED + " 5\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk size with a sign|" + CHUNKED + "+5\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk size with 0x|" + CHUNKED + "0x5\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk size past 64 bits|" + CHUNKED + "10000000000000005\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk size of 17 digits with leading zeros|" + CHUNKED + "00000000000000005\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "bare LF after the chunk size|" + CHUNKED + "5\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "bare LF in a chunk extension|" + CHUNKED + "5;a=b\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "CR inside a quoted chunk extension|" + CHUNKED + "5;a=\"x\\ry\"\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk data not followed by CRLF|" + CHUNKED + "5\\r\\nhelloXX0\\r\\n\\r\\n|400",
        "chunk data followed by a bare LF|" + CHUNKED + "5\\r\\nhello\\n0\\r\\n\\r\\n|400",
        "last chunk followed by a bare LF|" + CHUNKED + "5\\r\\nhello\\r\\n0\\n\\r\\n|400",
        "trailer Content-Length|" + CHUNKED + "5\\r\\nhello\\r\\n0\\r\\nContent-Length: 5\\r\\n\\r\\n|400",
        "trailer Transfer-Encoding|" + CHUNKED + "5\\r\\nhello\\r\\n0\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n|400",
        "trailer Host|" + CHUNKED + "5\\r\\nhello\\r\\n0\\r\\nHost: evil\\r\\n\\r\\n|400",
        "Host with a path|GET / HTTP/1.1\\r\\nHost: a/b\\r\\n\\r\\n|400",
        "Host with a space|GET / HTTP/1.1\\r\\nHost: a b\\r\\n\\r\\n|400",
        "Host with userinfo|GET / HTTP/1.1\\r\\nHost: user@a\\r\\n\\r\\n|400",
        "Host with a bad port|GET / HTTP/1.1\\r\\nHost: a:8x\\r\\n\\r\\n|400",
        "Host with an empty IP literal|GET / HTTP/1.1\\r\\nHost: []\\r\\n\\r\\n|400",
        "Host with an unclosed IP literal|GET / HTTP/1.1\\r\\nHost: [::1\\r\\n\\r\\n|400",
        "Host with a query|GET / HTTP/1.1\\r\\nHost: a?b\\r\\n\\r\\n|400",
        "request-target with a fragment|GET /a#frag HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "absolute-form with a fragment|GET http://a/x#f HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "absolute-form of another scheme|GET ftp://a/x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "absolute-form with userinfo|GET http://u@a/x HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "asterisk-form on GET|GET * HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "authority-form on GET|GET a:80 HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "whitespace between a field name and the colon|GET / HTTP/1.1\\r\\nHost : a\\r\\n\\r\\n|400",
        "obs-fold (a folded header line)|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: 1\\r\\n 2\\r\\n\\r\\n|400",
        "obs-fold of Host|GET / HTTP/1.1\\r\\nHost: a\\r\\n b\\r\\n\\r\\n|400",
        "NUL in a header value|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: 1\u00002\\r\\n\\r\\n|400",
        "Transfer-Encoding with whitespace before the colon|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding : chunked\\r\\n\\r\\n0\\r\\n\\r\\n|400",
        "obs-fold of Transfer-Encoding|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding:\\r\\n chunked\\r\\n\\r\\n5 \\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "whitespace before the first header field|GET / HTTP/1.1\\r\\n Host: a\\r\\nHost: a\\r\\n\\r\\n|400",
        "Transfer-Encoding gzip before chunked (a coding the proxy cannot undo)|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n0\\r\\n\\r\\n|501",
        "Transfer-Encoding chunked in two fields|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n|400",
        "Transfer-Encoding value starting with a vertical tab|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: \u000bchunked\\r\\n\\r\\n0\\r\\n\\r\\n|400",
        "Transfer-Encoding identity with Content-Length|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: identity\\r\\nContent-Length: 1\\r\\n\\r\\nx|400",
        "Transfer-Encoding chunked not last|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n0\\r\\n\\r\\n|400",
        "Transfer-Encoding xchunked|POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: xchunked\\r\\n\\r\\n0\\r\\n\\r\\n|400",
        "Content-Length starting with a vertical tab|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: \u000b1\\r\\n\\r\\nx|400",
        "field name with a slash|GET / HTTP/1.1\\r\\nHost: a\\r\\nX/A: 1\\r\\n\\r\\n|400",
        "field line without a colon|GET / HTTP/1.1\\r\\nHost: a\\r\\nXA 1\\r\\n\\r\\n|400",
        "empty field name|GET / HTTP/1.1\\r\\nHost: a\\r\\n: 1\\r\\n\\r\\n|400",
        "two Host fields|GET / HTTP/1.1\\r\\nHost: a\\r\\nHost: b\\r\\n\\r\\n|400",
        "HTTP/1.1 without Host|GET / HTTP/1.1\\r\\n\\r\\n|400",
        "DEL in a field value|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: 1\u007f2\\r\\n\\r\\n|400",
        "control character in the request-target|GET /a\u0001b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "space inside the request-target|GET /a b HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "method with a character outside tchar|GE(T / HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "negative Content-Length|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: -1\\r\\n\\r\\n|400",
        "Content-Length past 64 bits|POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 99999999999999999999\\r\\n\\r\\n|400",
        "Transfer-Encoding in an HTTP/1.0 request|POST / HTTP/1.0\\r\\nHost: a\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n|400",
        "bare CR in the request line|GET /\\rHTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "bare CR in a header value|GET / HTTP/1.1\\r\\nHost: a\\r\\nX-A: 1\\r2\\r\\n\\r\\n|400",
        "version in lower case|GET / http/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "version with two minor digits|GET / HTTP/1.10\\r\\nHost: a\\r\\n\\r\\n|400",
        "version of another protocol|GET / FOO/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "version with a leading zero|GET / HTTP/01.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "HTTP/2.0 in an HTTP/1 request line|GET / HTTP/2.0\\r\\nHost: a\\r\\n\\r\\n|505",
        "Connection nominating Content-Length|POST /c HTTP/1.1\\r\\nHost: a\\r\\nConnection: Content-Length\\r\\nContent-Length: 5\\r\\n\\r\\nhello|400",
        "Connection nominating Transfer-Encoding|" + CHUNKED_HEAD_NOMINATED + "5\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk extension without a name|" + CHUNKED + "5;\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
        "chunk extension with a blank and no semicolon|" + CHUNKED + "5 a\\r\\nhello\\r\\n0\\r\\n\\r\\n|400",
      })
  void hostileRequestGetsItsStatusAndAClosedConnection(String name, String raw, int status)
      throws Exception {
    String request = raw.replace("\\r", "\r").replace("\\n", "\n");
    String response = exchange(request);
    assertTrue(response.startsWith("HTTP/1.1 " + status + " "), name + ": " + response);
    assertFalse(response.contains("Exception"), response);
    assertTrue(
        backend.requests.stream().noneMatch(r -> r.uri().startsWith("/c") && !r.body().isEmpty()),
        "no body reached the backend");
  }

  @Test
  void aBrokenChunkAfter100ContinueStillGetsA400() throws Exception {
    String response =
        exchange(
            "POST /c HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "0x5\r\nhello\r\n0\r\n\r\n");
    assertTrue(response.contains("HTTP/1.1 400 "), response);
  }

  @Test
  void chunkExtensionsAreBoundedPerRequest() throws Exception {
    String ext = ";" + "e".repeat(1000);
    String response =
        exchange(
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"
                + ("1" + ext + "\r\nx\r\n").repeat(5)
                + "0\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 400 "), response);
  }

  @Test
  void wellFormedChunksExtensionsAndTrailersStillPass() throws Exception {
    String response =
        exchange(
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "0000000000000005;a=b;c=\"x \\\" y\"\r\nhello\r\n"
                + "6;last\r\n world\r\n0\r\nX-Checksum: 1\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 200 "), response);
    assertEquals("hello world", backend.requests.get(0).body());
  }

  @Test
  void absoluteFormIsRoutedByItsAuthority() throws Exception {
    String response =
        exchange("GET http://b.example/x?y HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 200 "), response);
    assertEquals("/x?y", backend.requests.get(0).uri());
  }

  @Test
  void http10AndEmptyLinesBeforeTheRequestLineStillPass() throws Exception {
    String response = exchange("\r\nGET /ok HTTP/1.0\r\nHost: a\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 200 "), response);
  }

  /** Writes {@code request}; reads until the proxy closes. Silence past 5 s fails the test. */
  private String exchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[4096];
      try {
        int n;
        while ((n = in.read(buf)) != -1) {
          out.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        fail("silence, connection still open; got: " + out.toString(StandardCharsets.ISO_8859_1));
      } catch (IOException e) {
        // a reset after the answer still counts: the answer was read
      }
      return out.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
