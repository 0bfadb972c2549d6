package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.proxyRoute;
import static io.portcullis.operator.compile.Fixtures.route;
import static io.portcullis.operator.compile.NginxSockets.HOST;
import static io.portcullis.operator.compile.NginxSockets.P;
import static io.portcullis.operator.compile.NginxSockets.chunk;
import static io.portcullis.operator.compile.NginxSockets.chunked;
import static io.portcullis.operator.compile.NginxSockets.nginx;
import static io.portcullis.operator.compile.NginxSockets.readToEnd;
import static io.portcullis.operator.compile.NginxSockets.readUntil;
import static io.portcullis.operator.compile.NginxSockets.service;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.filters.limits.ConcurrencyLimits;
import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.compile.Fixtures.RouteFixture;
import io.portcullis.operator.compile.NginxSockets.Backend;
import io.portcullis.operator.compile.NginxSockets.Response;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
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
  private final NginxSockets rig = new NginxSockets();

  @AfterEach
  void stop() {
    rig.close();
  }

  // ---------------------------------------------------------------- canary-by-header-pattern

  @Test
  @DisplayName("canary-by-header-pattern: a value the pattern finds takes the canary, others stay on main")
  void canaryByHeaderPattern() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-region")
            .annotation(P + "canary-by-header-pattern", "^(eu|us)-[a-z]+$")
            .host(HOST).prefix("/", "next", next)),
        service("web", web), service("next", next));
    assertEquals("next /a", rig.get("/a", "x-region: eu-west").body());
    assertEquals("next /a", rig.get("/a", "x-region: us-east").body());
    assertEquals("web /a", rig.get("/a", "x-region: asia-east").body());
    assertEquals("web /a", rig.get("/a", "x-region: always").body()); // the pattern replaces always/never
    assertEquals("web /a", rig.get("/a").body());
  }

  @Test
  @DisplayName("canary-by-header-pattern is searched, not anchored, as ngx.re.match does; a header value wins over it")
  void canaryPatternIsASearchAndValueWins() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-user")
            .annotation(P + "canary-by-header-pattern", "tester")
            .host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-user")
            .annotation(P + "canary-by-header-value", "ann").annotation(P + "canary-by-header-pattern", ".*")
            .host("api.example.com").prefix("/", "next", next)),
        service("web", web), service("next", next));
    assertEquals("next /", rig.get("/", "x-user: beta-tester-7").body());
    assertEquals("web /", rig.get("/", "x-user: Tester").body()); // case-sensitive, as without the i flag
    assertEquals("next /", rig.get("api.example.com", "/", List.of("x-user: ann")).body());
    assertEquals("web /", rig.get("api.example.com", "/", List.of("x-user: bob")).body());
  }

  @Test
  @DisplayName("a pattern RE2 cannot run is reported; the cookie and weight of the canary still serve")
  void invalidPatternReportedRestServed() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    Compiled c = rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-region")
            .annotation(P + "canary-by-header-pattern", "(?<=eu)-west")
            .annotation(P + "canary-by-cookie", "canary")
            .host(HOST).prefix("/", "next", next)),
        service("web", web), service("next", next));
    assertTrue(c.ingressStatus("default", "shop-canary").events().stream()
        .anyMatch(e -> e.reason().equals(Reasons.INVALID_ANNOTATION)
            && e.message().contains("canary-by-header-pattern")), "an event names the pattern");
    assertEquals("web /", rig.get("/", "x-region: eu-west").body());
    assertEquals("next /", rig.get("/", "cookie: canary=always").body());
  }

  // ---------------------------------------------------------------- canary-by-cookie

  @Test
  @DisplayName("canary-by-cookie: always takes the canary, never stays on main even at weight 100, other values go by weight")
  void canaryByCookie() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-cookie", "canary")
            .host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-by-cookie", "canary")
            .annotation(P + "canary-weight", "100").host("api.example.com").prefix("/", "next", next)),
        service("web", web), service("next", next));
    assertEquals("next /", rig.get("/", "cookie: session=1; canary=always; theme=dark").body());
    assertEquals("web /", rig.get("/", "cookie: canary=never").body());
    assertEquals("web /", rig.get("/", "cookie: canary=maybe").body());
    assertEquals("web /", rig.get("/", "cookie: xcanary=always").body());
    assertEquals("web /", rig.get("/", "cookie: Canary=always").body()); // names compare with case
    assertEquals("next /", rig.get("/", "cookie: canary=\"always\"").body());
    // Several Cookie header fields on HTTP/1.1: every one is read.
    assertEquals("next /", rig.get("/", "cookie: session=1", "cookie: canary=always").body());
    assertEquals("web /", rig.get("api.example.com", "/", List.of("cookie: canary=never")).body());
    assertEquals("next /", rig.get("api.example.com", "/", List.of("cookie: canary=maybe")).body());
    assertEquals("next /", rig.get("api.example.com", "/", List.of()).body());
  }

  @Test
  @DisplayName("canary-weight-total: the weight is out of the total (7 of 7: every request; 0 of 1000: none), not out of 100")
  void canaryWeightTotal() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-weight", "7")
            .annotation(P + "canary-weight-total", "7").host(HOST).prefix("/", "next", next),
        nginx("api").host("api.example.com").prefix("/", "web", web),
        nginx("api-canary").annotation(P + "canary", "true").annotation(P + "canary-weight", "0")
            .annotation(P + "canary-weight-total", "1000").host("api.example.com").prefix("/", "next", next)),
        service("web", web), service("next", next));
    for (int i = 0; i < 20; i++) {
      assertEquals("next /", rig.get("/").body(), "7 of 7 is all of them");
      assertEquals("web /", rig.get("api.example.com", "/", List.of()).body(), "0 of 1000 is none");
    }
  }

  @Test
  @DisplayName("canary precedence is header, then cookie, then weight")
  void headerThenCookieThenWeight() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-header", "x-canary")
            .annotation(P + "canary-by-cookie", "canary").annotation(P + "canary-weight", "100")
            .host(HOST).prefix("/", "next", next)),
        service("web", web), service("next", next));
    assertEquals("web /", rig.get("/", "x-canary: never", "cookie: canary=always").body());
    assertEquals("next /", rig.get("/", "x-canary: always", "cookie: canary=never").body());
    assertEquals("web /", rig.get("/", "x-canary: other", "cookie: canary=never").body());
    assertEquals("next /", rig.get("/", "x-canary: other", "cookie: canary=always").body());
    assertEquals("next /", rig.get("/", "x-canary: other").body());
  }

  @Test
  @DisplayName("canary-by-cookie over HTTP/2: cookies split over several header fields are read")
  void canaryByCookieOverHttp2() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
    rig.serve(List.of(
        nginx("shop").host(HOST).prefix("/", "web", web),
        nginx("shop-canary").annotation(P + "canary", "true").annotation(P + "canary-by-cookie", "canary")
            .host(HOST).prefix("/", "next", next)),
        service("web", web), service("next", next));
    // nghttp sends each -H as a header field of its own (RFC 9113 8.2.3 lets clients split cookies).
    String split = rig.nghttp("/", "-H", "cookie: session=1", "-H", "cookie: canary=always");
    assertEquals("next /", split.trim());
    String never = rig.nghttp("/", "-H", "cookie: session=1", "-H", "cookie: canary=never");
    assertEquals("web /", never.trim());
  }

  @Test
  @DisplayName("ProxyRoute: a regex header match and a cookie match route to their backends")
  void proxyRouteRegexHeaderAndCookie() throws Exception {
    int web = rig.backend("web").port();
    int next = rig.backend("next").port();
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
    rig.serve(List.of(proxyRoute("default", "shop").hosts(HOST)
            .route(versioned).route(beta).route(route("rest").prefix("/").to("web", web)).build()),
        service("web", web), service("next", next));
    assertEquals("next /", rig.get("/", "x-version: v12").body());
    assertEquals("web /", rig.get("/", "x-version: v12-rc").body()); // the whole value must match
    assertEquals("next /", rig.get("/", "cookie: a=b; beta=yes").body());
    assertEquals("web /", rig.get("/", "cookie: beta=no").body());
    assertEquals("web /", rig.get("/").body());
  }

  // ---------------------------------------------------------------- proxy-body-size

  @Test
  @DisplayName("proxy-body-size 1k: a larger declared Content-Length gets 413 and the backend sees nothing")
  void bodySizeDeclared() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "proxy-body-size", "1k").host(HOST).prefix("/", "web", web.port()),
        service("web", web.port()));
    Response ok = rig.post(HOST, "/up", List.of("content-length: 1024"), new byte[1024]);
    assertEquals(200, ok.status());
    assertEquals(1024, web.bodyBytes());
    assertEquals(1, web.requests());
    Response tooLarge = rig.post(HOST, "/up", List.of("content-length: 1025"), new byte[1025]);
    assertEquals(413, tooLarge.status());
    assertEquals(1, web.requests(), "the backend never saw the request");
  }

  @Test
  @DisplayName("proxy-body-size 1k: a chunked body crossing the limit gets 413; within it, it is served")
  void bodySizeChunked() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "proxy-body-size", "1K").host(HOST).prefix("/", "web", web),
        service("web", web));
    assertEquals(200, rig.post(HOST, "/up", List.of("transfer-encoding: chunked"),
        chunked(new byte[600], new byte[424])).status());
    assertEquals(413, rig.post(HOST, "/up", List.of("transfer-encoding: chunked"),
        chunked(new byte[600], new byte[600], new byte[600])).status());
  }

  @Test
  @DisplayName("proxy-body-size over HTTP/2: a body of unknown length crossing the limit gets 413")
  void bodySizeHttp2() throws Exception {
    int web = rig.backend("web").port();
    rig.serve(nginx("shop").annotation(P + "proxy-body-size", "1k").host(HOST).prefix("/", "web", web),
        service("web", web));
    // -T - streams stdin: HTTP/2 DATA frames without content-length.
    assertEquals("413", rig.http2Upload(3000));
    assertEquals("200", rig.http2Upload(1000));
  }

  @Test
  @DisplayName("proxy-body-size: a body crossing the limit after the response started breaks the response off")
  void bodySizeAfterResponseStarted() throws Exception {
    int early = earlyAnswer();
    rig.serve(nginx("shop").annotation(P + "proxy-body-size", "1k").host(HOST).prefix("/", "early", early),
        service("early", early));
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), rig.proxyPort())) {
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
    int web = rig.backend("web").port();
    rig.serve(List.of(
        nginx("shop").annotation(P + "proxy-body-size", "0").host(HOST).prefix("/", "web", web),
        nginx("eight").annotation(P + "proxy-body-size", "8m").host("b.example.com").prefix("/", "web", web)),
        service("web", web));
    byte[] big = new byte[3 << 20];
    assertEquals(200, rig.post(HOST, "/up", List.of("content-length: " + big.length), big).status());
    assertEquals(200, rig.post("b.example.com", "/up", List.of("content-length: " + (8 << 20)),
        new byte[8 << 20]).status());
    assertEquals(413, rig.post("b.example.com", "/up", List.of("content-length: " + ((8 << 20) + 1)),
        new byte[0]).status());
  }

  // ---------------------------------------------------------------- limit-connections

  @Test
  @DisplayName("limit-connections 1: a second request in progress from the same client gets 503, other clients are served, slots come back")
  void limitConnections() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "limit-connections", "1").host(HOST)
            .prefix("/hold", "web", web.port()).prefix("/fast", "web", web.port()),
        service("web", web.port()));
    InetAddress me = InetAddress.getByName("127.0.0.1");
    InetAddress other = InetAddress.getByName("127.0.0.2");
    try (Socket held = rig.send(me, "/hold")) {
      await().atMost(Duration.ofSeconds(10)).until(() -> web.requests() == 1);
      // One count over every path of the Ingress, as ingress-nginx's zone per Ingress.
      assertEquals(503, rig.requestFrom(me, HOST, "GET", "/fast", Map.of()).status());
      assertEquals(200, rig.requestFrom(other, HOST, "GET", "/fast", Map.of()).status());
      web.release();
      assertEquals(200, Response.parse(readToEnd(held.getInputStream())).status());
    }
    awaitFreed(me);
    assertEquals(200, rig.requestFrom(me, HOST, "GET", "/fast", Map.of()).status());
  }

  @Test
  @DisplayName("limit-connections: a client that goes away mid-request gives its slot back")
  void limitConnectionsFreedOnAbort() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "limit-connections", "1").host(HOST)
            .prefix("/", "web", web.port()), service("web", web.port()));
    InetAddress me = InetAddress.getByName("127.0.0.1");
    Socket held = rig.send(me, "/hold");
    await().atMost(Duration.ofSeconds(10)).until(() -> web.requests() == 1);
    assertEquals(503, rig.requestFrom(me, HOST, "GET", "/fast", Map.of()).status());
    held.close();
    awaitFreed(me);
    assertEquals(200, rig.requestFrom(me, HOST, "GET", "/fast", Map.of()).status());
  }

  @Test
  @DisplayName("limit-connections over HTTP/2: each stream counts, as nginx's limit_conn does")
  void limitConnectionsHttp2Streams() throws Exception {
    Backend web = rig.backend("web");
    rig.serve(nginx("shop").annotation(P + "limit-connections", "2").host(HOST)
            .prefix("/", "web", web.port()), service("web", web.port()));
    Process three = rig.startNghttp("/hold", "-m", "3");
    await().atMost(Duration.ofSeconds(10)).until(() -> web.requests() == 2);
    web.release();
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

  /** A backend that answers its head and "started" before it reads the body, then echoes the rest. */
  private int earlyAnswer() throws IOException {
    return rig.server("/", exchange -> {
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
}
