package io.portcullis.dataplane.filters.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.portcullis.dataplane.admin.ProxyMetrics;
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
import io.portcullis.snapshot.filter.AuthMechanism;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.BasicAuth;
import io.portcullis.snapshot.filter.ExternalAuth;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.OidcAuth;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every mechanism through a real proxy (the standard filter registry), a real backend, a real
 * authorization service, a real OpenID provider (mock-oauth2-server) and the JDK HTTP client.
 */
class AuthEndToEndTest {
  private static final String HOST = "app.example.com";
  private static final String SSO_HOST = "sso.example.com";
  private final TestBackend backend = new TestBackend();
  private final LiveConfig config = new LiveConfig();
  private final HttpClient client = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).followRedirects(HttpClient.Redirect.NEVER).build();
  private MockOAuth2Server idp;
  private HttpServer authService;
  private ProxyServer proxy;
  private int port;

  private static Route route(String prefix, AuthMechanism auth) {
    return Route.of(prefix.substring(1), RouteMatch.path(new PathMatch.Prefix(prefix)),
        RouteAction.Forward.to("c")).withFilters(List.of(new AuthPolicy(auth)));
  }

  @BeforeEach
  void start() throws Exception {
    int backendPort = backend.start();
    idp = new MockOAuth2Server();
    idp.start();
    authService = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    authService.createContext("/check", exchange -> {
      boolean ok = "let-me-in".equals(exchange.getRequestHeaders().getFirst("authorization"));
      if (ok) {
        exchange.getResponseHeaders().set("x-auth-user", "svc-user");
        exchange.sendResponseHeaders(200, -1);
      } else {
        byte[] body = "denied by policy".getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(403, body.length);
        exchange.getResponseBody().write(body);
      }
      exchange.close();
    });
    authService.start();

    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    String issuer = idp.issuerUrl("default").toString();
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    VirtualHost app = new VirtualHost(HOST, List.of(
        route("/basic", new BasicAuth("staff",
            Map.of("alice", OpenBSDBCrypt.generate("2y", "wonderland".toCharArray(), salt, 4)),
            "x-remote-user")),
        route("/jwt", new JwtAuth(issuer, List.of("shop"), idp.jwksUrl("default").toString(), null,
            null, null, Map.of("sub", "x-user"), 30)),
        route("/external", new ExternalAuth(
            "http://127.0.0.1:" + authService.getAddress().getPort() + "/check",
            List.of("authorization"), List.of("x-auth-user"), 5000, ExternalAuth.OnError.DENY, 0, 0)),
        Route.of("open", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("c"))),
        null, List.of());
    VirtualHost sso = new VirtualHost(SSO_HOST, List.of(
        Route.of("all", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("c"))),
        null, List.of(new AuthPolicy(new OidcAuth(issuer, "shop-client", "s3cret", List.of(),
            "/oauth2/callback", "/oauth2/logout", null,
            List.of(Base64.getEncoder().encodeToString(key)), "_sso", 3600, List.of(), List.of(),
            "groups", Map.of("sub", "x-user"), null, null, false))));
    config.apply(Snapshot.of(List.of(app, sso),
        List.of(new Cluster("c", List.of(new Endpoint("127.0.0.1", backendPort)))), null));
    proxy = new ProxyServer(
        ProxySettings.builder().bindAddress("127.0.0.1").port(0).workerThreads(1).build(),
        config, new ProxyMetrics());
    port = proxy.start();
  }

  @AfterEach
  void stop() {
    proxy.close();
    backend.close();
    authService.stop(0);
    idp.shutdown();
  }

  private HttpResponse<String> get(String host, String path, String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Host", host);
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private TestBackend.Seen lastSeen() {
    return backend.requests.get(backend.requests.size() - 1);
  }

  @Test
  @DisplayName("basic auth: 401 with a challenge, then the user's name upstream")
  void basic() throws Exception {
    var challenge = get(HOST, "/basic/x");
    assertEquals(401, challenge.statusCode());
    assertEquals("Basic realm=\"staff\", charset=\"UTF-8\"",
        challenge.headers().firstValue("www-authenticate").orElse(""));
    assertTrue(backend.requests.isEmpty());
    String credentials = Base64.getEncoder().encodeToString("alice:wonderland".getBytes());
    var ok = get(HOST, "/basic/x", "Authorization", "Basic " + credentials);
    assertEquals(200, ok.statusCode());
    assertEquals("alice", lastSeen().headers().get("x-remote-user"));
    assertEquals(200, get(HOST, "/elsewhere").statusCode(), "other routes are open");
  }

  @Test
  @DisplayName("jwt: a token from the provider passes, a missing or foreign one does not")
  void jwt() throws Exception {
    String token = idp.issueToken("default", "alice", new DefaultOAuth2TokenCallback(
        "default", "alice", "JWT", List.of("shop"), Map.of(), 60)).serialize();
    var ok = get(HOST, "/jwt/orders", "Authorization", "Bearer " + token);
    assertEquals(200, ok.statusCode(), ok.body());
    assertEquals("alice", lastSeen().headers().get("x-user"));
    var missing = get(HOST, "/jwt/orders");
    assertEquals(401, missing.statusCode());
    assertEquals("Bearer", missing.headers().firstValue("www-authenticate").orElse(""));
    String otherAudience = idp.issueToken("default", "alice", new DefaultOAuth2TokenCallback(
        "default", "alice", "JWT", List.of("billing"), Map.of(), 60)).serialize();
    var wrong = get(HOST, "/jwt/orders", "Authorization", "Bearer " + otherAudience);
    assertEquals(401, wrong.statusCode());
    assertTrue(wrong.headers().firstValue("www-authenticate").orElse("")
        .contains("error=\"invalid_token\""));
  }

  @Test
  @DisplayName("external auth: allowed with the service's header upstream, denied with its body")
  void external() throws Exception {
    assertEquals(200, get(HOST, "/external/a", "Authorization", "let-me-in").statusCode());
    assertEquals("svc-user", lastSeen().headers().get("x-auth-user"));
    int seen = backend.requests.size();
    var denied = get(HOST, "/external/a", "Authorization", "nope", "X-Auth-User", "forged");
    assertEquals(403, denied.statusCode());
    assertEquals("denied by policy", denied.body());
    assertEquals(seen, backend.requests.size());
  }

  @Test
  @DisplayName("oidc: a browser signs in through the provider and then reaches the backend")
  void oidc() throws Exception {
    Map<String, String> jar = new LinkedHashMap<>();
    var login = get(SSO_HOST, "/dashboard", "Accept", "text/html");
    assertEquals(302, login.statusCode());
    keep(jar, login);
    var provider = client.send(HttpRequest.newBuilder(
        URI.create(login.headers().firstValue("location").orElseThrow())).build(),
        HttpResponse.BodyHandlers.discarding());
    URI callback = URI.create(provider.headers().firstValue("location").orElseThrow());
    assertEquals(SSO_HOST, callback.getHost());
    var back = get(SSO_HOST, callback.getRawPath() + "?" + callback.getRawQuery(),
        "Cookie", cookies(jar));
    assertEquals(302, back.statusCode(), back.body());
    assertEquals("/dashboard", back.headers().firstValue("location").orElse(""));
    keep(jar, back);
    var in = get(SSO_HOST, "/dashboard", "Cookie", cookies(jar));
    assertEquals(200, in.statusCode());
    assertFalse(lastSeen().headers().contains("cookie"), "the session cookie stays at the proxy");
    var api = get(SSO_HOST, "/api", "Accept", "application/json");
    assertEquals(401, api.statusCode());
  }

  private static void keep(Map<String, String> jar, HttpResponse<?> r) {
    for (String c : r.headers().allValues("set-cookie")) {
      String pair = c.substring(0, c.indexOf(';'));
      String name = pair.substring(0, pair.indexOf('='));
      if (c.contains("Max-Age=0")) {
        jar.remove(name);
      } else {
        jar.put(name, pair.substring(pair.indexOf('=') + 1));
      }
    }
  }

  private static String cookies(Map<String, String> jar) {
    return jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining("; "));
  }
}
