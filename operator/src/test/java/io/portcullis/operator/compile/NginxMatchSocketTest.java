package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.filters.limits.ConcurrencyLimits;
import io.portcullis.dataplane.proxy.ProxyServer;
import io.portcullis.dataplane.proxy.ProxySettings;
import io.portcullis.operator.compile.CompilerSettings.IngressNginx;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * In-process end to end for the ingress-nginx annotations that needed new snapshot features
 * (canary-by-header-pattern, canary-by-cookie, proxy-body-size, limit-connections) and the
 * ProxyRoute fields beside them: the real compiler, a real dataplane proxy, real sockets (HTTP/1.1
 * by hand, HTTP/2 with curl and nghttp), real backends. Expected results are ingress-nginx's
 * documented behaviour.
 */
class NginxMatchSocketTest {
  static final String P = "nginx.ingress.kubernetes.io/";
  static final String HOST = "shop.example.com";
  static final CompilerSettings COMPAT =
      CompilerSettings.defaults().withIngressNginx(IngressNginx.SERVED);

  private final List<HttpServer> backends = new ArrayList<>();
  private final List<ExecutorService> executors = new ArrayList<>();
  /** Requests each backend got, by name. */
  private final Map<String, AtomicInteger> hits = new java.util.concurrent.ConcurrentHashMap<>();
  /** Body bytes the backends read, in all. */
  private final AtomicLong bodyBytes = new AtomicLong();
  /** {@code /hold} requests wait for this. */
  private final CountDownLatch release = new CountDownLatch(1);
  private LiveConfig config;
  private ProxyServer proxy;
  private int proxyPort;

  @BeforeEach
  void start() throws Exception {
    config = new LiveConfig();
    proxy = new ProxyServer(ProxySettings.builder().bindAddress("127.0.0.1").port(0).build(),
        config, new ProxyMetrics());
    proxyPort = proxy.start();
  }

  @AfterEach
  void stop() {
    release.countDown();
    proxy.close();
    backends.forEach(b -> b.stop(0));
    executors.forEach(ExecutorService::shutdownNow);
  }

  // ---------------------------------------------------------------- canary-by-header-pattern

  @Test
  @DisplayName("canary-by-header-pattern: a value the pattern finds takes the canary, others stay on main")
  void canaryByHeaderPattern() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-region")
            .annotation(P + "canary-by-header-pattern", "^(eu|us)-[a-z]+$")
            .host(HOST).prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    assertEquals("next /a", get("/a", "x-region: eu-west").body);
    assertEquals("next /a", get("/a", "x-region: us-east").body);
    assertEquals("web /a", get("/a", "x-region: asia-east").body);
    assertEquals("web /a", get("/a", "x-region: always").body); // the pattern replaces always/never
    assertEquals("web /a", get("/a").body);
  }

  @Test
  @DisplayName("canary-by-header-pattern is searched, not anchored, as ngx.re.match does; a header value wins over it")
  void canaryPatternIsASearchAndValueWins() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-user")
            .annotation(P + "canary-by-header-pattern", "tester")
            .host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-user")
            .annotation(P + "canary-by-header-value", "ann").annotation(P + "canary-by-header-pattern", ".*")
            .host("api.example.com").prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    assertEquals("next /", get("/", "x-user: beta-tester-7").body);
    assertEquals("web /", get("/", "x-user: Tester").body); // case-sensitive, as without the i flag
    assertEquals("next /", request("api.example.com", "/", List.of("x-user: ann")).body);
    assertEquals("web /", request("api.example.com", "/", List.of("x-user: bob")).body);
  }

  @Test
  @DisplayName("a pattern RE2 cannot run is reported; the cookie and weight of the canary still serve")
  void invalidPatternReportedRestServed() throws Exception {
    int web = echo("web");
    int next = echo("next");
    Compiled c = serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-region")
            .annotation(P + "canary-by-header-pattern", "(?<=eu)-west")
            .annotation(P + "canary-by-cookie", "canary")
            .host(HOST).prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    assertTrue(c.ingressStatus("default", "shop-canary").events().stream()
        .anyMatch(e -> e.reason().equals(Reasons.INVALID_ANNOTATION)
            && e.message().contains("canary-by-header-pattern")), "an event names the pattern");
    assertEquals("web /", get("/", "x-region: eu-west").body);
    assertEquals("next /", get("/", "cookie: canary=always").body);
  }

  // ---------------------------------------------------------------- canary-by-cookie

  @Test
  @DisplayName("canary-by-cookie: always takes the canary, never stays on main even at weight 100, other values go by weight")
  void canaryByCookie() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-cookie", "canary")
            .host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-by-cookie", "canary")
            .annotation(P + "canary-weight", "100").host("api.example.com").prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    assertEquals("next /", get("/", "cookie: session=1; canary=always; theme=dark").body);
    assertEquals("web /", get("/", "cookie: canary=never").body);
    assertEquals("web /", get("/", "cookie: canary=maybe").body);
    assertEquals("web /", get("/", "cookie: xcanary=always").body);
    assertEquals("web /", get("/", "cookie: Canary=always").body); // names compare with case
    assertEquals("next /", get("/", "cookie: canary=\"always\"").body);
    // Several Cookie header fields on HTTP/1.1: every one is read.
    assertEquals("next /", get("/", "cookie: session=1", "cookie: canary=always").body);
    assertEquals("web /", request("api.example.com", "/", List.of("cookie: canary=never")).body);
    assertEquals("next /", request("api.example.com", "/", List.of("cookie: canary=maybe")).body);
    assertEquals("next /", request("api.example.com", "/", List.of()).body);
  }

  @Test
  @DisplayName("canary-weight-total: the weight is out of the total (7 of 7: every request; 0 of 1000: none), not out of 100")
  void canaryWeightTotal() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-weight", "7")
            .annotation(P + "canary-weight-total", "7").host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-weight", "0")
            .annotation(P + "canary-weight-total", "1000").host("api.example.com").prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    for (int i = 0; i < 20; i++) {
      assertEquals("next /", get("/").body, "7 of 7 is all of them");
      assertEquals("web /", request("api.example.com", "/", List.of()).body, "0 of 1000 is none");
    }
  }

  @Test
  @DisplayName("canary precedence is header, then cookie, then weight")
  void headerThenCookieThenWeight() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-canary")
            .annotation(P + "canary-by-cookie", "canary").annotation(P + "canary-weight", "100")
            .host(HOST).prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    assertEquals("web /", get("/", "x-canary: never", "cookie: canary=always").body);
    assertEquals("next /", get("/", "x-canary: always", "cookie: canary=never").body);
    assertEquals("web /", get("/", "x-canary: other", "cookie: canary=never").body);
    assertEquals("next /", get("/", "x-canary: other", "cookie: canary=always").body);
    assertEquals("next /", get("/", "x-canary: other").body);
  }

  @Test
  @DisplayName("canary-by-cookie over HTTP/2: cookies split over several header fields are read")
  void canaryByCookieOverHttp2() throws Exception {
    int web = echo("web");
    int next = echo("next");
    serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-cookie", "canary")
            .host(HOST).prefix("/", "next", next)),
        backend("web", web), backend("next", next));
    // nghttp sends each -H as a header field of its own (RFC 9113 8.2.3 lets clients split cookies).
    String split = run("nghttp", "-H", ":authority: " + HOST, "-H", "cookie: session=1",
        "-H", "cookie: canary=always", "http://127.0.0.1:" + proxyPort + "/");
    assertEquals("next /", split.trim());
    String never = run("nghttp", "-H", ":authority: " + HOST, "-H", "cookie: session=1",
        "-H", "cookie: canary=never", "http://127.0.0.1:" + proxyPort + "/");
    assertEquals("web /", never.trim());
  }

  @Test
  @DisplayName("ProxyRoute: a regex header match and a cookie match route to their backends")
  void proxyRouteRegexHeaderAndCookie() throws Exception {
    int web = echo("web");
    int next = echo("next");
    RouteFixture versioned = route("versioned").prefix("/").to("next", next);
    ProxyRouteSpec.HeaderMatch h = new ProxyRouteSpec.HeaderMatch();
    h.name = "x-version";
    h.regex = "v[0-9]+";
    versioned.spec.match.headers = new ArrayList<>(List.of(h));
    RouteFixture beta = route("beta").prefix("/").to("next", next);
    ProxyRouteSpec.CookieMatch cookie = new ProxyRouteSpec.CookieMatch();
    cookie.name = "beta";
    cookie.exact = "yes";
    beta.spec.match.cookies = new ArrayList<>(List.of(cookie));
    serve(List.of(proxyRoute("default", "shop").hosts(HOST)
            .route(versioned).route(beta).route(route("rest").prefix("/").to("web", web)).build()),
        backend("web", web), backend("next", next));
    assertEquals("next /", get("/", "x-version: v12").body);
    assertEquals("web /", get("/", "x-version: v12-rc").body); // the whole value must match
    assertEquals("next /", get("/", "cookie: a=b; beta=yes").body);
    assertEquals("web /", get("/", "cookie: beta=no").body);
    assertEquals("web /", get("/").body);
  }

  // ---------------------------------------------------------------- proxy-body-size

  @Test
  @DisplayName("proxy-body-size 1k: a larger declared Content-Length gets 413 and the backend sees nothing")
  void bodySizeDeclared() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "proxy-body-size", "1k").host(HOST).prefix("/", "web", web),
        backend("web", web));
    Response ok = post("/up", List.of("content-length: 1024"), new byte[1024]);
    assertEquals(200, ok.status);
    assertEquals(1024, bodyBytes.get());
    assertEquals(1, hits("web"));
    Response tooLarge = post("/up", List.of("content-length: 1025"), new byte[1025]);
    assertEquals(413, tooLarge.status);
    assertEquals(1, hits("web"), "the backend never saw the request");
  }

  @Test
  @DisplayName("proxy-body-size 1k: a chunked body crossing the limit gets 413; within it, it is served")
  void bodySizeChunked() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "proxy-body-size", "1K").host(HOST).prefix("/", "web", web),
        backend("web", web));
    assertEquals(200, post("/up", List.of("transfer-encoding: chunked"),
        chunked(new byte[600], new byte[424])).status);
    assertEquals(413, post("/up", List.of("transfer-encoding: chunked"),
        chunked(new byte[600], new byte[600], new byte[600])).status);
  }

  @Test
  @DisplayName("proxy-body-size over HTTP/2: a body of unknown length crossing the limit gets 413")
  void bodySizeHttp2() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "proxy-body-size", "1k").host(HOST).prefix("/", "web", web),
        backend("web", web));
    // -T - streams stdin: HTTP/2 DATA frames without content-length.
    assertEquals("413", curlUpload(3000));
    assertEquals("200", curlUpload(1000));
  }

  @Test
  @DisplayName("proxy-body-size: a body crossing the limit after the response started breaks the response off")
  void bodySizeAfterResponseStarted() throws Exception {
    int early = earlyAnswer("early");
    serve(nginx("shop").annotation(P + "proxy-body-size", "1k").host(HOST).prefix("/", "early", early),
        backend("early", early));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort)) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("POST /up HTTP/1.1\r\nHost: " + HOST + "\r\nTransfer-Encoding: chunked\r\n\r\n")
          .getBytes(StandardCharsets.ISO_8859_1));
      out.write(chunk(new byte[500]));
      out.flush();
      InputStream in = socket.getInputStream();
      String head = readUntil(in, "started");
      assertTrue(head.startsWith("HTTP/1.1 200"), head);
      out.write(chunk(new byte[600]));
      out.flush();
      String rest = readToEnd(in);
      assertFalse(rest.contains("0\r\n\r\n"), "the response must not end as if complete: " + rest);
    }
  }

  @Test
  @DisplayName("proxy-body-size 0 is unlimited; 8m in nginx units allows 8 MiB")
  void bodySizeUnlimitedAndUnits() throws Exception {
    int web = echo("web");
    serve(List.of(
        nginx("shop").annotation(P + "proxy-body-size", "0").host(HOST).prefix("/", "web", web),
        nginx("eight").annotation(P + "proxy-body-size", "8m").host("b.example.com").prefix("/", "web", web)),
        backend("web", web));
    byte[] big = new byte[3 << 20];
    assertEquals(200, post("/up", List.of("content-length: " + big.length), big).status);
    assertEquals(200, postTo("b.example.com", List.of("content-length: " + (8 << 20)), new byte[8 << 20]).status);
    assertEquals(413, postTo("b.example.com", List.of("content-length: " + ((8 << 20) + 1)), new byte[0]).status);
  }

  // ---------------------------------------------------------------- limit-connections

  @Test
  @DisplayName("limit-connections 1: a second request in progress from the same client gets 503, other clients are served, slots come back")
  void limitConnections() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "limit-connections", "1").host(HOST)
            .prefix("/hold", "web", web).prefix("/fast", "web", web),
        backend("web", web));
    InetAddress me = InetAddress.getByName("127.0.0.1");
    InetAddress other = InetAddress.getByName("127.0.0.2");
    try (Socket held = send(me, "/hold")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> hits("web") == 1);
      // One count over every path of the Ingress, as ingress-nginx's zone per Ingress.
      assertEquals(503, requestFrom(me, "/fast").status);
      assertEquals(200, requestFrom(other, "/fast").status);
      release.countDown();
      assertEquals(200, Response.parse(readToEnd(held.getInputStream())).status);
    }
    awaitFreed(me);
    assertEquals(200, requestFrom(me, "/fast").status);
  }

  @Test
  @DisplayName("limit-connections: a client that goes away mid-request gives its slot back")
  void limitConnectionsFreedOnAbort() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "limit-connections", "1").host(HOST)
            .prefix("/", "web", web), backend("web", web));
    InetAddress me = InetAddress.getByName("127.0.0.1");
    Socket held = send(me, "/hold");
    await().atMost(Duration.ofSeconds(10)).until(() -> hits("web") == 1);
    assertEquals(503, requestFrom(me, "/fast").status);
    held.close();
    awaitFreed(me);
    assertEquals(200, requestFrom(me, "/fast").status);
  }

  @Test
  @DisplayName("limit-connections over HTTP/2: each stream counts, as nginx's limit_conn does")
  void limitConnectionsHttp2Streams() throws Exception {
    int web = echo("web");
    serve(nginx("shop").annotation(P + "limit-connections", "2").host(HOST)
            .prefix("/", "web", web), backend("web", web));
    Process three = new ProcessBuilder("nghttp", "-m", "3", "-H", ":authority: " + HOST,
        "http://127.0.0.1:" + proxyPort + "/hold").redirectErrorStream(true).start();
    await().atMost(Duration.ofSeconds(10)).until(() -> hits("web") == 2);
    release.countDown();
    assertTrue(three.waitFor(20, TimeUnit.SECONDS));
    String out = new String(three.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(2, count(out, "web /hold"), out);
    assertEquals(1, count(out, "too many requests in progress"), out);
    awaitFreed(InetAddress.getByName("127.0.0.1"));
  }

  // ---------------------------------------------------------------- plumbing

  private void awaitFreed(InetAddress client) {
    await().atMost(Duration.ofSeconds(10)).until(() ->
        ConcurrencyLimits.shared().counts().inProgress("ingress/default/shop", client) == 0);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }

  private int hits(String backend) {
    return hits.computeIfAbsent(backend, k -> new AtomicInteger()).get();
  }

  private static IngressFixture nginx(String name) {
    return ingress("default", name).className("nginx");
  }

  private static List<Object> backend(String name, int port) {
    return List.of(service("default", name).port(null, port).build(),
        slice("default", name).port(null, port).ready("127.0.0.1").build());
  }

  private Compiled serve(Object... objects) {
    Compiled c = compile(COMPAT, objects);
    config.apply(c.snapshot());
    return c;
  }

  /**
   * A backend that reads the whole body and answers "name path"; {@code /hold} waits for
   * {@link #release} first.
   */
  private int echo(String name) throws IOException {
    return backendServer(name, exchange -> {
      hits.computeIfAbsent(name, k -> new AtomicInteger()).incrementAndGet();
      if (exchange.getRequestURI().getPath().equals("/hold")) {
        try {
          release.await(20, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      try (InputStream in = exchange.getRequestBody()) {
        bodyBytes.addAndGet(in.transferTo(OutputStream.nullOutputStream()));
      }
      byte[] body = (name + " " + exchange.getRequestURI().getRawPath()).getBytes(StandardCharsets.UTF_8);
      exchange.sendResponseHeaders(200, body.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    });
  }

  /** A backend that answers its head and "started" before it reads the body, then echoes the rest. */
  private int earlyAnswer(String name) throws IOException {
    return backendServer(name, exchange -> {
      exchange.sendResponseHeaders(200, 0);
      OutputStream out = exchange.getResponseBody();
      out.write("started".getBytes(StandardCharsets.UTF_8));
      out.flush();
      try (InputStream in = exchange.getRequestBody()) {
        in.transferTo(OutputStream.nullOutputStream());
      } catch (IOException e) {
        // the proxy dropped the request: expected
      }
      out.close();
    });
  }

  private int backendServer(String name, com.sun.net.httpserver.HttpHandler handler) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    ExecutorService executor = Executors.newCachedThreadPool();
    executors.add(executor);
    server.setExecutor(executor);
    server.createContext("/", handler);
    server.start();
    backends.add(server);
    return server.getAddress().getPort();
  }

  private Response get(String path, String... headers) throws IOException {
    return request(HOST, path, List.of(headers));
  }

  private Response request(String host, String path, List<String> headers) throws IOException {
    return exchange(InetAddress.getLoopbackAddress(), host, "GET", path, headers, new byte[0]);
  }

  private Response requestFrom(InetAddress client, String path) throws IOException {
    return exchange(client, HOST, "GET", path, List.of(), new byte[0]);
  }

  private Response post(String path, List<String> headers, byte[] body) throws IOException {
    return exchange(InetAddress.getLoopbackAddress(), HOST, "POST", path, headers, body);
  }

  private Response postTo(String host, List<String> headers, byte[] body) throws IOException {
    return exchange(InetAddress.getLoopbackAddress(), host, "POST", "/up", headers, body);
  }

  /** One HTTP/1.1 request on its own connection from {@code client}, read to the end. */
  private Response exchange(InetAddress client, String host, String method, String path,
      List<String> headers, byte[] body) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort, client, 0)) {
      socket.setSoTimeout(20_000);
      StringBuilder head = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host + "\r\n");
      headers.forEach(h -> head.append(h).append("\r\n"));
      head.append("Connection: close\r\n\r\n");
      OutputStream out = socket.getOutputStream();
      out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // the proxy answered early and closed: read its answer
      }
      return Response.parse(readToEnd(socket.getInputStream()));
    }
  }

  /** Sends a GET and leaves the connection open, unread. */
  private Socket send(InetAddress client, String path) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), proxyPort, client, 0);
    socket.setSoTimeout(20_000);
    socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + HOST
        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
    return socket;
  }

  private static byte[] chunked(byte[]... parts) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.write(chunk(part));
    }
    out.write("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  private static byte[] chunk(byte[] part) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write((Integer.toHexString(part.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
    out.write(part);
    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    return out.toByteArray();
  }

  /** Reads to the end of the stream; a reset after some bytes ends it too. */
  private static String readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        all.write(buffer, 0, n);
      }
    } catch (java.net.SocketException e) {
      // a reset: what arrived before it counts
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  private static String readUntil(InputStream in, String marker) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (!all.toString(StandardCharsets.ISO_8859_1).contains(marker)) {
      int b = in.read();
      if (b < 0) {
        break;
      }
      all.write(b);
    }
    return all.toString(StandardCharsets.ISO_8859_1);
  }

  /** curl over HTTP/2 without TLS, streaming {@code size} bytes from stdin; returns the status. */
  private String curlUpload(int size) throws Exception {
    Process p = new ProcessBuilder("curl", "-sS", "-m", "20", "--http2-prior-knowledge",
        "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: " + HOST, "-T", "-",
        "http://127.0.0.1:" + proxyPort + "/up").redirectErrorStream(false).start();
    try (OutputStream stdin = p.getOutputStream()) {
      stdin.write(new byte[size]);
    }
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "curl finished");
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
  }

  private static String run(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "finished: " + String.join(" ", command));
    return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
  }

  record Response(int status, Map<String, String> headers, String body) {
    static Response parse(String raw) {
      int end = raw.indexOf("\r\n\r\n");
      if (end < 0) {
        throw new AssertionError("no complete response: " + raw);
      }
      String[] lines = raw.substring(0, end).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
            lines[i].substring(colon + 1).trim());
      }
      return new Response(Integer.parseInt(lines[0].split(" ")[1]), headers, raw.substring(end + 4));
    }
  }
}
