package io.portcullis.dataplane.filters.auth;

import io.portcullis.dataplane.testing.FakeFilterContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portcullis.snapshot.filter.OidcAuth;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The OpenID Connect relying party against a real provider (mock-oauth2-server) on a real socket:
 * the browser's part (following redirects, keeping cookies) is played by this test with the JDK
 * client.
 */
class OidcAuthFilterTest {
  static final String CLIENT = "shop-client";

  MockOAuth2Server idp;
  DefaultEventLoop loop;
  JdkSubrequestClient client;
  final AtomicLong clock = new AtomicLong(System.currentTimeMillis());
  final HttpClient browser = HttpClient.newBuilder()
      .followRedirects(HttpClient.Redirect.NEVER).build();
  AuthMetrics metrics;
  String sessionKey;

  @BeforeEach
  void setUp() {
    idp = new MockOAuth2Server();
    idp.start();
    loop = new DefaultEventLoop();
    client = new JdkSubrequestClient(Duration.ofSeconds(5));
    metrics = new AuthMetrics(new PrometheusRegistry());
    sessionKey = key();
  }

  @AfterEach
  void tearDown() {
    idp.shutdown();
    client.close();
    loop.shutdownGracefully();
  }

  static String key() {
    byte[] k = new byte[32];
    new SecureRandom().nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  private OidcAuth config(List<String> allowedGroups, List<String> sessionKeys) {
    return new OidcAuth(idp.issuerUrl("default").toString(), CLIENT, "s3cret",
        List.of("openid", "email"), "/oauth2/callback", "/oauth2/logout",
        "https://shop.example.com/bye", sessionKeys, "_pc_session", 8 * 3600, List.of(), allowedGroups,
        "groups", Map.of("sub", "x-user", "groups", "x-groups"), null, "authorization", false);
  }

  private OidcAuthFilter filter(OidcAuth config) {
    OidcProvider provider = new OidcProvider(config.issuer(), client,
        uri -> new RemoteKeySet(uri, client, Duration.ZERO, Duration.ofMinutes(5), System::nanoTime),
        Duration.ZERO, System::nanoTime);
    return new OidcAuthFilter(config, provider, client, metrics, clock::get);
  }

  /** A browser's cookie jar: Set-Cookie in, Cookie out. */
  static final class Jar {
    final Map<String, String> cookies = new LinkedHashMap<>();

    void take(ChainOutcome out) {
      for (String setCookie : out.headers().getAll("set-cookie")) {
        String pair = setCookie.substring(0, setCookie.indexOf(';'));
        String name = pair.substring(0, pair.indexOf('='));
        if (setCookie.contains("Max-Age=0")) {
          cookies.remove(name);
        } else {
          cookies.put(name, pair.substring(pair.indexOf('=') + 1));
        }
      }
    }

    String header() {
      return cookies.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
          .collect(Collectors.joining("; "));
    }
  }

  private ChainOutcome get(OidcAuthFilter f, String uri, Jar jar, String accept) throws Exception {
    FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "shop.example.com", uri).on(loop);
    if (jar != null && !jar.cookies.isEmpty()) {
      ctx.request().headers().set("cookie", jar.header() + "; theme=dark");
    }
    ctx.request().headers().set("accept", accept);
    ctx.request().headers().set("x-user", "spoofed");
    ChainOutcome out = ChainOutcome.run(f, ctx);
    List<String> refreshed = ctx.attr(OidcAuthFilter.SET_COOKIES).get();
    if (jar != null) {
      jar.take(out);
      if (refreshed != null) {
        // what onResponse would add to the backend's answer
        refreshed.forEach(c -> jar.take(new ChainOutcome(false, 0,
            new io.netty.handler.codec.http.DefaultHttpHeaders().add("set-cookie", c), "")));
      }
    }
    return out;
  }

  /** Signs in through the provider; returns the callback's outcome. */
  private ChainOutcome signIn(OidcAuthFilter f, Jar jar, String[] callbackOut) throws Exception {
    ChainOutcome login = get(f, "/orders?page=2", jar, "text/html");
    assertEquals(302, login.status());
    URI authorize = URI.create(login.headers().get("location"));
    Map<String, List<String>> params = new QueryStringDecoder(authorize).parameters();
    assertEquals("S256", params.get("code_challenge_method").get(0));
    assertEquals("http://shop.example.com/oauth2/callback", params.get("redirect_uri").get(0));
    assertNotNull(params.get("nonce"));
    HttpResponse<Void> provider = browser.send(HttpRequest.newBuilder(authorize).build(),
        HttpResponse.BodyHandlers.discarding());
    assertEquals(302, provider.statusCode());
    URI callback = URI.create(provider.headers().firstValue("location").orElseThrow());
    String callbackPath = callback.getRawPath() + "?" + callback.getRawQuery();
    if (callbackOut != null) {
      callbackOut[0] = callbackPath;
    }
    return get(f, callbackPath, jar, "text/html");
  }

  @Test
  void aBrowserSignsInWithPkceAndThenPassesWithItsSessionCookie() throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("default", "alice", "JWT", List.of(CLIENT),
        Map.of("groups", List.of("staff"), "email", "alice@example.com"), 3600));
    OidcAuthFilter f = filter(config(List.of(), List.of(sessionKey)));
    Jar jar = new Jar();
    ChainOutcome callback = signIn(f, jar, null);
    assertEquals(302, callback.status(), callback.body());
    assertEquals("/orders?page=2", callback.headers().get("location"));
    assertTrue(jar.cookies.containsKey("_pc_session"));
    assertFalse(jar.cookies.containsKey("_pc_session_login"));

    ChainOutcome in = get(f, "/orders", jar, "text/html");
    assertTrue(in.proceeded(), () -> in.status() + " " + in.body());
    assertEquals("alice", in.headers().get("x-user"));
    assertEquals("staff", in.headers().get("x-groups"));
    assertTrue(in.headers().get("authorization").startsWith("Bearer ey"));
    assertEquals("theme=dark", in.headers().get("cookie"), "the session cookie stays with us");
  }

  @Test
  void aReplayedStateIsRefused() throws Exception {
    OidcAuthFilter f = filter(config(List.of(), List.of(sessionKey)));
    Jar jar = new Jar();
    String[] callbackPath = new String[1];
    // keep the login cookie to replay it with the callback
    ChainOutcome login = get(f, "/", jar, "text/html");
    String loginCookie = jar.cookies.get("_pc_session_login");
    jar.cookies.clear();
    jar.cookies.put("_pc_session_login", loginCookie);
    HttpResponse<Void> provider = browser.send(HttpRequest.newBuilder(
        URI.create(login.headers().get("location"))).build(), HttpResponse.BodyHandlers.discarding());
    URI callback = URI.create(provider.headers().firstValue("location").orElseThrow());
    callbackPath[0] = callback.getRawPath() + "?" + callback.getRawQuery();
    assertEquals(302, get(f, callbackPath[0], jar, "text/html").status());
    Jar replay = new Jar();
    replay.cookies.put("_pc_session_login", loginCookie);
    assertEquals(400, get(f, callbackPath[0], replay, "text/html").status());
    // and a callback with no login in progress at all
    assertEquals(400, get(f, callbackPath[0], new Jar(), "text/html").status());
  }

  @Test
  void aTamperedSessionCookieIsNoSession() throws Exception {
    OidcAuthFilter f = filter(config(List.of(), List.of(sessionKey)));
    Jar jar = new Jar();
    signIn(f, jar, null);
    String value = jar.cookies.get("_pc_session");
    char c = value.charAt(value.length() / 2);
    jar.cookies.put("_pc_session", value.substring(0, value.length() / 2)
        + (c == 'A' ? 'B' : 'A') + value.substring(value.length() / 2 + 1));
    ChainOutcome out = get(f, "/orders", jar, "text/html");
    assertEquals(302, out.status());
    assertTrue(out.headers().get("location").startsWith(idp.authorizationEndpointUrl("default").toString()));
  }

  @Test
  void anotherKeysSessionIsNoSessionButARotatedKeyKeepsSessions() throws Exception {
    Jar jar = new Jar();
    signIn(filter(config(List.of(), List.of(sessionKey))), jar, null);
    Jar copy = new Jar();
    copy.cookies.putAll(jar.cookies);
    assertEquals(302, get(filter(config(List.of(), List.of(key()))), "/", copy, "text/html").status());
    assertFalse(copy.cookies.containsKey("_pc_session"), "an unreadable session cookie is cleared");
    // rotation: a new first key, the old one kept for the grace period
    assertTrue(get(filter(config(List.of(), List.of(key(), sessionKey))), "/", jar, "text/html")
        .proceeded());
  }

  @Test
  void apiClientsGet401InsteadOfARedirect() throws Exception {
    OidcAuthFilter f = filter(config(List.of(), List.of(sessionKey)));
    ChainOutcome out = get(f, "/api/orders", null, "application/json");
    assertEquals(401, out.status());
    assertEquals("Bearer", out.headers().get("www-authenticate"));
  }

  @Test
  void aSignedInUserOutsideTheAllowedGroupsIsForbidden() throws Exception {
    idp.enqueueCallback(new DefaultOAuth2TokenCallback("default", "bob", "JWT", List.of(CLIENT),
        Map.of("groups", List.of("staff")), 3600));
    OidcAuthFilter f = filter(config(List.of("admins"), List.of(sessionKey)));
    Jar jar = new Jar();
    assertEquals(403, signIn(f, jar, null).status());
    assertEquals(403, get(f, "/orders", jar, "text/html").status());
  }

  @Test
  void expiringTokensAreRefreshedAndTheNewSessionCookieIsSet() throws Exception {
    OidcAuthFilter f = filter(config(List.of(), List.of(sessionKey)));
    Jar jar = new Jar();
    signIn(f, jar, null);
    String before = jar.cookies.get("_pc_session");
    // the access token (an hour) is about to expire: within the refresh margin
    clock.addAndGet(Duration.ofSeconds(3600 - OidcAuthFilter.REFRESH_EARLY_SECONDS + 10).toMillis());
    ChainOutcome out = get(f, "/orders", jar, "text/html");
    assertTrue(out.proceeded(), () -> out.status() + " " + out.body());
    assertFalse(before.equals(jar.cookies.get("_pc_session")), "a refreshed session was set");
    clock.addAndGet(Duration.ofMinutes(2).toMillis());
    ChainOutcome later = get(f, "/orders", jar, "text/html");
    assertTrue(later.proceeded(), () -> "the refreshed tokens still serve: " + later);
  }

  @Test
  void logoutClearsTheSessionAndEndsItAtTheProvider() throws Exception {
    OidcAuthFilter f = filter(config(List.of(), List.of(sessionKey)));
    Jar jar = new Jar();
    signIn(f, jar, null);
    ChainOutcome out = get(f, "/oauth2/logout", jar, "text/html");
    assertEquals(302, out.status());
    String location = out.headers().get("location");
    assertTrue(location.startsWith(idp.endSessionEndpointUrl("default").toString()), location);
    assertTrue(location.contains("id_token_hint=") && location.contains("post_logout_redirect_uri="));
    assertNull(jar.cookies.get("_pc_session"));
    assertEquals(302, get(f, "/orders", jar, "text/html").status(), "signed out");
  }
}
