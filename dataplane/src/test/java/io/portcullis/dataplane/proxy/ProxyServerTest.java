package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filters.headers.HeaderRewriteFilter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.dataplane.testing.TestBackend;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.HeaderRewrite;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProxyServerTest {
  private final TestBackend backend = new TestBackend();
  private final AtomicReference<Router> router = new AtomicReference<>();
  private ProxyServer proxy;
  private int backendPort;
  private int proxyPort;
  private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  @BeforeEach
  void start() {
    backendPort = backend.start();
    router.set(head -> forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE));
    proxy =
        new ProxyServer(
            ProxySettings.builder()
                .bindAddress("127.0.0.1")
                .port(0)
                .workerThreads(2)
                .responseTimeout(Duration.ofMillis(500))
                .build(),
            head -> router.get().route(head),
            new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
  }

  static RouteDecision forward(RequestHead head, int port, HeaderRewrite req, HeaderRewrite resp) {
    String target = head.path() + (head.query() == null ? "" : "?" + head.query());
    ClusterRuntime cluster =
        new ClusterRuntime(new Cluster("c1", List.of(new Endpoint("127.0.0.1", port))));
    FilterChain headers = req.isEmpty() && resp.isEmpty()
        ? FilterChain.EMPTY : new FilterChain(List.of(new HeaderRewriteFilter(req, resp)));
    return new RouteDecision.Forward("r1", cluster, target, 0).withFilters(headers);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void getReachesTheBackendWithForwardingHeadersAndRewrites() throws Exception {
    router.set(
        head ->
            forward(
                head,
                backendPort,
                new HeaderRewrite(Map.of("x-added", "yes"), List.of("x-drop")),
                new HeaderRewrite(Map.of("x-resp", "1"), List.of("x-backend"))));
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/a/b?q=1"))
                .header("x-drop", "gone")
                .header("x-request-id", "abc-123")
                .header("x-forwarded-for", "10.0.0.1")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("GET /a/b?q=1 ", r.body());
    assertEquals(java.util.Optional.of("abc-123"), r.headers().firstValue("x-request-id"));
    assertEquals(java.util.Optional.of("1"), r.headers().firstValue("x-resp"));
    assertTrue(r.headers().firstValue("x-backend").isEmpty());
    assertTrue(r.headers().firstValue("x-backend-private").isEmpty());
    assertTrue(r.headers().firstValue("keep-alive").isEmpty());
    TestBackend.Seen seen = backend.requests.get(0);
    // No trusted proxies: the client's own X-Forwarded-For is replaced, never passed on.
    assertEquals("127.0.0.1", seen.headers().get("x-forwarded-for"));
    assertEquals("http", seen.headers().get("x-forwarded-proto"));
    assertEquals("127.0.0.1:" + proxyPort, seen.headers().get("x-forwarded-host"));
    assertEquals("abc-123", seen.headers().get("x-request-id"));
    assertEquals("yes", seen.headers().get("x-added"));
    assertFalse(seen.headers().contains("x-drop"));
  }

  @Test
  void aMissingOrInsaneRequestIdIsReplacedAndEchoed() throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/"))
                .header("x-request-id", "bad id with spaces")
                .build(),
            HttpResponse.BodyHandlers.ofString());
    String id = r.headers().firstValue("x-request-id").orElseThrow();
    assertTrue(id.matches("[0-9a-f]{32}"), id);
    assertEquals(id, backend.requests.get(0).headers().get("x-request-id"));
  }

  @Test
  void hopByHopHeadersNeverReachTheBackend() throws Exception {
    String response =
        rawExchange(
            "GET /h HTTP/1.1\r\nHost: example.test\r\nConnection: keep-alive, x-hop\r\n"
                + "x-hop: 1\r\nKeep-Alive: timeout=5\r\nTE: trailers\r\nProxy-Connection: x\r\n"
                + "Upgrade: something\r\nx-end-to-end: kept\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    HttpHeadersView h = new HttpHeadersView(backend.requests.get(0));
    assertFalse(h.has("x-hop"));
    assertFalse(h.has("keep-alive"));
    assertFalse(h.has("te"));
    assertFalse(h.has("proxy-connection"));
    assertFalse(h.has("upgrade"));
    assertTrue(h.has("x-end-to-end"));
    assertEquals("example.test", backend.requests.get(0).headers().get("x-forwarded-host"));
  }

  record HttpHeadersView(TestBackend.Seen seen) {
    boolean has(String name) {
      return seen.headers().contains(name);
    }
  }

  @Test
  void postBodyReachesTheBackend() throws Exception {
    HttpResponse<String> r =
        client.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + proxyPort + "/post"))
                .POST(HttpRequest.BodyPublishers.ofString("hello body"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, r.statusCode());
    assertEquals("POST /post hello body", r.body());
  }

  @Test
  void tenSequentialRequestsReuseOneBackendConnection() throws Exception {
    for (int i = 0; i < 10; i++) {
      assertEquals(200, get("/n" + i).statusCode());
    }
    assertEquals(10, backend.requests.size());
    assertEquals(1, backend.connections.get());
  }

  @Test
  void aPooledConnectionTheBackendClosedIsRetriedOnceOnAFreshOne() throws Exception {
    assertEquals(200, get("/first").statusCode());
    HttpResponse<String> r = get("/flaky");
    assertEquals(200, r.statusCode());
    assertEquals("GET /flaky ", r.body());
    assertEquals(2, backend.connections.get());
  }

  @Test
  void headResponseHasNoBodyAndTheConnectionStaysUsable() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("HEAD /h1 HTTP/1.1\r\nHost: a\r\n\r\n"
                      + "GET /g2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String all = readAll(s.getInputStream());
      assertTrue(all.startsWith("HTTP/1.1 200"), all);
      int second = all.indexOf("HTTP/1.1 200", 5);
      assertTrue(second > 0, all);
      assertFalse(all.substring(0, second).contains("HEAD /h1"), all);
      assertTrue(all.endsWith("GET /g2 "), all);
    }
  }

  @Test
  void chunkedRequestBodyIsReframedUpstream() throws Exception {
    String response =
        rawExchange(
            "POST /c HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 200"), response);
    assertTrue(response.endsWith("POST /c hello world"), response);
  }

  @Test
  void headToAProxyAnswerCarriesNoBody() throws Exception {
    router.set(head -> head.path().equals("/nf") ? new RouteDecision.NotFound()
        : forward(head, backendPort, HeaderRewrite.NONE, HeaderRewrite.NONE));
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("HEAD /nf HTTP/1.1\r\nHost: a\r\n\r\n"
                      + "GET /g2 HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String all = readAll(s.getInputStream());
      assertTrue(all.startsWith("HTTP/1.1 404"), all);
      assertFalse(all.contains("no route"), all);
      assertTrue(all.contains("HTTP/1.1 200") && all.endsWith("GET /g2 "), all);
    }
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("GET /one HTTP/1.1\r\nHost: a\r\n\r\nGET /two HTTP/1.1\r\nHost: a\r\n\r\n"
                      + "GET /three HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String all = readAll(s.getInputStream());
      assertTrue(all.indexOf("GET /one") < all.indexOf("GET /two"), all);
      assertTrue(all.indexOf("GET /two") < all.indexOf("GET /three"), all);
      assertTrue(all.indexOf("GET /one") >= 0, all);
    }
  }

  @Test
  void pipelinedPostBehindAGetReachesTheBackendWithItsBody() throws Exception {
    // The POST and its body wait in the queue while /one is answered; nothing more arrives from
    // the client afterwards, so the proxy must flush the queued body itself.
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("GET /one HTTP/1.1\r\nHost: a\r\n\r\n"
                      + "POST /two HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n"
                      + "Connection: close\r\n\r\nhello")
                  .getBytes(StandardCharsets.US_ASCII));
      String all = readAll(s.getInputStream());
      assertTrue(all.indexOf("GET /one") >= 0, all);
      assertTrue(all.endsWith("POST /two hello"), all);
    }
  }

  @Test
  void noRouteIs404() throws Exception {
    router.set(head -> new RouteDecision.NotFound());
    HttpResponse<String> r = get("/x");
    assertEquals(404, r.statusCode());
    assertEquals("no route\n", r.body());
    assertTrue(r.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
  }

  @Test
  void clusterWithoutEndpointsIs503() throws Exception {
    router.set(
        head ->
            new RouteDecision.Forward(
                "r1", new ClusterRuntime(new Cluster("empty", List.of())), "/", 0));
    assertEquals(503, get("/x").statusCode());
  }

  @Test
  void refusedBackendIs502() throws Exception {
    int closedPort = LoopbackServer.closedPort();
    router.set(head -> forward(head, closedPort, HeaderRewrite.NONE, HeaderRewrite.NONE));
    HttpResponse<String> r = get("/x");
    assertEquals(502, r.statusCode());
    assertEquals("bad gateway\n", r.body());
  }

  @Test
  void backendClosingMidHeadIs502() throws Exception {
    assertEquals(502, get("/half").statusCode());
  }

  @Test
  void backendThatNeverAnswersIs504() throws Exception {
    HttpResponse<String> r = get("/hang");
    assertEquals(504, r.statusCode());
    assertEquals("gateway timeout\n", r.body());
  }

  @Test
  void redirectAndDirectResponsesAreAnsweredByTheProxy() throws Exception {
    router.set(head -> new RouteDecision.Redirect("r", 301, "https://x.test/a", null));
    HttpResponse<String> r = get("/x");
    assertEquals(301, r.statusCode());
    assertEquals(java.util.Optional.of("https://x.test/a"), r.headers().firstValue("location"));
    router.set(head -> new RouteDecision.Direct("r", 418, "teapot\n", null));
    r = get("/x");
    assertEquals(418, r.statusCode());
    assertEquals("teapot\n", r.body());
    assertTrue(backend.requests.isEmpty());
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nBad Name: x\\r\\n\\r\\n|400",
        "GET / HTTP/1.1\\r\\nHost: a\\r\\nX-Ctl: a\\u0001b\\r\\n\\r\\n|400",
        "GET /a b c HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n0\\r\\n\\r\\n|400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 3\\r\\nContent-Length: 4\\r\\n\\r\\nabcd|400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: x3\\r\\n\\r\\nabc|400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: chunked, identity\\r\\n\\r\\n|400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n0\\r\\n\\r\\n|501",
        "GET / HTTP/1.1\\r\\n\\r\\n|400",
        "CONNECT a:443 HTTP/1.1\\r\\nHost: a:443\\r\\n\\r\\n|405",
        "GET http://user@evil.test/ HTTP/1.1\\r\\nHost: a\\r\\n\\r\\n|400",
        "POST / HTTP/1.1\\r\\nHost: a\\r\\nContent-Length: 5000000000\\r\\n\\r\\n|413",
      })
  void hostileRequestGetsItsStatusAndAClosedConnection(String raw, int status) throws Exception {
    String request = raw.replace("\\r\\n", "\r\n").replace("\\u0001", "\u0001");
    String response = rawExchange(request);
    assertTrue(response.startsWith("HTTP/1.1 " + status), response);
    assertFalse(response.contains("Exception"), response);
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  void overLongRequestLineIs414() throws Exception {
    String response = rawExchange("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: a\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 414"), response);
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  void overLargeHeadersAre431() throws Exception {
    String response =
        rawExchange("GET / HTTP/1.1\r\nHost: a\r\nX-Big: " + "b".repeat(40_000) + "\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 431"), response);
    assertTrue(backend.requests.isEmpty());
  }

  @Test
  void expectContinueGets100OnlyOnceRoutedThenTheFinalStatus() throws Exception {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream()
          .write(
              ("POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n"
                      + "Connection: close\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      String interim = readLine(s.getInputStream());
      assertEquals("HTTP/1.1 100 Continue", interim);
      assertTrue(backend.requests.isEmpty());
      s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
      String rest = readAll(s.getInputStream());
      assertTrue(rest.contains("HTTP/1.1 200") && rest.endsWith("POST /up hello"), rest);
    }
    assertFalse(backend.requests.get(0).headers().contains("expect"));
  }

  @Test
  void expectContinueForAnUnroutableRequestGetsOnlyThe404() throws Exception {
    router.set(head -> new RouteDecision.NotFound());
    String response =
        rawExchange(
            "POST /up HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
    assertTrue(response.startsWith("HTTP/1.1 404") && !response.contains("100 Continue"), response);
  }

  @Test
  void slowHeadGets408() throws Exception {
    proxy.close();
    proxy =
        new ProxyServer(
            ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1)
                .headerReadTimeout(Duration.ofMillis(300)).build(),
            head -> router.get().route(head),
            new ProxyMetrics());
    proxyPort = proxy.start();
    String response = rawExchange("GET / HTTP/1.1\r\nHost: a\r\n");
    assertTrue(response.startsWith("HTTP/1.1 408"), response);
    assertTrue(backend.requests.isEmpty());
  }

  /** Writes {@code request}, then reads until the proxy closes the connection. */
  private String rawExchange(String request) throws IOException {
    try (Socket s = new Socket("127.0.0.1", proxyPort)) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      if (!request.contains("Connection: close") && request.endsWith("\r\n\r\n")
          && request.startsWith("GET /h ")) {
        s.getOutputStream().write("GET /end HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      }
      return readAll(s.getInputStream());
    }
  }

  static String readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toString(StandardCharsets.ISO_8859_1);
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        break;
      }
      if (c != '\r') {
        sb.append((char) c);
      }
    }
    // the blank line after the interim status line
    in.read();
    in.read();
    return sb.toString();
  }
}
