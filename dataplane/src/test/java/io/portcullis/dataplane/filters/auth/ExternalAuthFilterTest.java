package io.portcullis.dataplane.filters.auth;

import io.portcullis.dataplane.testing.FakeFilterContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.netty.channel.DefaultEventLoop;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.ExternalAuth;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** External authorization against a real service on a real socket. */
class ExternalAuthFilterTest {
  DefaultEventLoop loop;
  HttpServer service;
  JdkSubrequestClient client;
  AuthFilters auth;
  final AtomicInteger calls = new AtomicInteger();
  final AtomicReference<String> lastQuestion = new AtomicReference<>();
  final CountDownLatch release = new CountDownLatch(1);

  @BeforeEach
  void setUp() throws Exception {
    loop = new DefaultEventLoop();
    service = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    service.setExecutor(Executors.newCachedThreadPool());
    service.createContext("/check", exchange -> {
      calls.incrementAndGet();
      String token = exchange.getRequestHeaders().getFirst("x-token");
      String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
      lastQuestion.set(exchange.getRequestMethod() + " "
          + exchange.getRequestHeaders().getFirst("x-original-uri") + " "
          + exchange.getRequestHeaders().getFirst("x-original-method") + " "
          + exchange.getRequestHeaders().getFirst("x-forwarded-host") + " "
          + exchange.getRequestHeaders().getFirst("x-original-url") + " "
          + exchange.getRequestHeaders().getFirst("x-auth-request-redirect") + " cookie="
          + exchange.getRequestHeaders().getFirst("cookie") + " body=" + body);
      if ("slow".equals(token)) {
        try {
          release.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      if ("fresh".equals(token)) {
        exchange.getResponseHeaders().set("set-cookie", "seen=1");
        exchange.sendResponseHeaders(204, -1);
      } else if ("good".equals(token)) {
        exchange.getResponseHeaders().set("x-auth-user", "alice");
        exchange.getResponseHeaders().set("x-internal", "not copied");
        exchange.sendResponseHeaders(204, -1);
      } else {
        byte[] deny = "{\"error\":\"go away\"}".getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("content-type", "application/json");
        exchange.getResponseHeaders().set("www-authenticate", "Custom realm=\"x\"");
        exchange.sendResponseHeaders(401, deny.length);
        exchange.getResponseBody().write(deny);
      }
      exchange.close();
    });
    service.start();
    client = new JdkSubrequestClient(Duration.ofSeconds(2));
    auth = new AuthFilters(client, new PrometheusRegistry());
  }

  @AfterEach
  void tearDown() {
    release.countDown();
    service.stop(0);
    client.close();
    auth.close();
    loop.shutdownGracefully();
  }

  private HttpFilter filter(ExternalAuth.OnError onError, int body, long cacheMillis) {
    return filter(onError, body, cacheMillis, 10_000);
  }

  private HttpFilter filter(ExternalAuth.OnError onError, int body, long cacheMillis, long timeout) {
    return auth.create(new AuthPolicy(new ExternalAuth(
        "http://127.0.0.1:" + service.getAddress().getPort() + "/check",
        List.of("x-token", "cookie"), List.of("x-auth-user"), timeout, onError, body, cacheMillis)));
  }

  private ChainOutcome request(HttpFilter f, String method, String token, String body)
      throws Exception {
    FakeFilterContext ctx = FakeFilterContext.of("http", method, "shop.example.com", "/orders/7?full=1").on(loop).body(body);
    ctx.request().headers().set("x-auth-user", "spoofed");
    ctx.request().headers().set("cookie", "session=abc");
    ctx.request().headers().set("x-not-forwarded", "private");
    if (token != null) {
      ctx.request().headers().set("x-token", token);
    }
    return ChainOutcome.run(f, ctx);
  }

  @Test
  void anAllowingAnswerLetsTheRequestThroughWithChosenHeaders() throws Exception {
    ChainOutcome out = request(filter(ExternalAuth.OnError.DENY, 0, 0), "DELETE", "good", null);
    assertTrue(out.proceeded());
    assertEquals(List.of("alice"), out.headers().getAll("x-auth-user"));
    assertNull(out.headers().get("x-internal"));
    assertEquals("DELETE /orders/7?full=1 DELETE shop.example.com"
        + " http://shop.example.com/orders/7?full=1 /orders/7?full=1 cookie=session=abc body=",
        lastQuestion.get());
  }

  @Test
  void aDenyingAnswerGoesToTheClientAsItIs() throws Exception {
    ChainOutcome out = request(filter(ExternalAuth.OnError.DENY, 0, 0), "GET", "bad", null);
    assertFalse(out.proceeded());
    assertEquals(401, out.status());
    assertEquals("{\"error\":\"go away\"}", out.body());
    assertEquals("application/json", out.headers().get("content-type"));
    assertEquals("Custom realm=\"x\"", out.headers().get("www-authenticate"));
  }

  @Test
  void aServiceTooSlowAnswers503OrLetsThroughWhenTheRouteFailsOpen() throws Exception {
    assertEquals(503,
        request(filter(ExternalAuth.OnError.DENY, 0, 0, 300), "GET", "slow", null).status());
    ChainOutcome open = request(filter(ExternalAuth.OnError.ALLOW, 0, 0, 300), "GET", "slow", null);
    assertTrue(open.proceeded());
    assertNull(open.headers().get("x-auth-user"), "a spoofed header never survives");
  }

  @Test
  void aServiceThatIsDownAnswers503() throws Exception {
    service.stop(0);
    assertEquals(503, request(filter(ExternalAuth.OnError.DENY, 0, 0), "GET", "good", null).status());
  }

  @Test
  void theServiceMaySeeTheStartOfTheBody() throws Exception {
    request(filter(ExternalAuth.OnError.DENY, 5, 0), "POST", "good", "hello world");
    assertTrue(lastQuestion.get().endsWith("body=hello"), lastQuestion.get());
  }

  private HttpFilter signIn(String method, String signIn) {
    return auth.create(new AuthPolicy(new ExternalAuth(
        "http://127.0.0.1:" + service.getAddress().getPort() + "/check",
        List.of("x-token"), List.of(), 10_000, ExternalAuth.OnError.DENY, 0, 0, method, signIn,
        null, Map.of(), ExternalAuth.AnswerCookies.ON_SUCCESS)));
  }

  @Test
  void aConfiguredMethodAsksWithItAndA401BecomesARedirectToTheSignInUrl() throws Exception {
    HttpFilter f = signIn("GET",
        "https://login.example/start?h=$host&rd=$scheme://$http_host$escaped_request_uri");
    FakeFilterContext ctx = FakeFilterContext.of("https", "POST", "Shop.example.com:8443",
        "/a%20b/caf%C3%A9?x=1&y=/z").on(loop);
    ChainOutcome out = ChainOutcome.run(f, ctx);
    assertTrue(lastQuestion.get().startsWith("GET /a%20b/caf%C3%A9?x=1&y=/z POST "), lastQuestion.get());
    assertEquals(302, out.status());
    assertEquals("https://login.example/start?h=shop.example.com&rd=https://Shop.example.com:8443"
        + "%2Fa%2520b%2Fcaf%25C3%25A9%3Fx%3D1%26y%3D%2Fz", out.headers().get("location"));
    assertEquals("caf%C3%A9%20%2B~", NginxVariables.escape("caf\u00e9 +~"), "UTF-8 bytes, unreserved kept");
    ChainOutcome allowed = request(signIn(null, "/login"), "PUT", "good", null);
    assertTrue(allowed.proceeded(), "an allowing answer is not redirected");
    assertTrue(lastQuestion.get().startsWith("PUT "), "without a method: the request's own");
  }

  @Test
  void allowingAnswersAreCachedWhenAsked() throws Exception {
    HttpFilter cached = filter(ExternalAuth.OnError.DENY, 0, 60_000);
    for (int i = 0; i < 3; i++) {
      ChainOutcome out = request(cached, "GET", "good", null);
      assertEquals("alice", out.headers().get("x-auth-user"));
    }
    assertEquals(1, calls.get());
    request(cached, "GET", "bad", null);
    request(cached, "GET", "bad", null);
    assertEquals(3, calls.get(), "denials are asked every time");
  }

  @Test
  void withAKeyAnswersOfTheListedStatusesAreReusedAcrossUris() throws Exception {
    HttpFilter f = auth.create(new AuthPolicy(new ExternalAuth(
        "http://127.0.0.1:" + service.getAddress().getPort() + "/check",
        List.of("x-token"), List.of("x-auth-user"), 10_000, ExternalAuth.OnError.DENY, 0, 0, null,
        null, "$http_x_token", Map.of(204, 60_000L, 401, 60_000L), null)));
    for (String uri : List.of("/a", "/b?x=1")) {
      FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "shop.example.com", uri)
          .header("x-token", "good").on(loop);
      ChainOutcome out = ChainOutcome.run(f, ctx);
      assertTrue(out.proceeded());
      assertEquals("alice", out.headers().get("x-auth-user"), "the kept answer's headers");
    }
    assertEquals(1, calls.get(), "one key, one question");
    for (int i = 0; i < 2; i++) {
      ChainOutcome denied = ChainOutcome.run(f,
          FakeFilterContext.of("http", "GET", "shop.example.com", "/c").header("x-token", "bad").on(loop));
      assertEquals(401, denied.status());
      assertEquals("{\"error\":\"go away\"}", denied.body(), "a kept denial keeps its page");
    }
    assertEquals(2, calls.get(), "a 401 is kept too");
    for (int i = 0; i < 2; i++) {
      ChainOutcome.run(f, FakeFilterContext.of("http", "GET", "shop.example.com", "/d")
          .header("x-token", "fresh").on(loop));
    }
    assertEquals(4, calls.get(), "an answer setting a cookie is not kept");
  }
}
