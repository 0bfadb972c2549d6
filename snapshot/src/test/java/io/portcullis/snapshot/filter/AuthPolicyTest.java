package io.portcullis.snapshot.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.SnapshotCodec;
import io.portcullis.snapshot.filter.JwtAuth.TokenSource;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuthPolicyTest {

  static final String BCRYPT = "$2y$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui";

  @Test
  void everyMechanismSurvivesTheWireUnchanged() throws Exception {
    List<AuthPolicy> policies = List.of(
        new AuthPolicy(new BasicAuth("shop", Map.of("alice", BCRYPT), "X-Remote-User")),
        new AuthPolicy(new JwtAuth("https://issuer", List.of("b", "a"), "https://issuer/jwks",
            null, List.of(new TokenSource(TokenSource.From.COOKIE, "token")),
            Map.of("scope", "read"), Map.of("sub", "X-User"), 30)),
        new AuthPolicy(new ExternalAuth("http://authz.svc:8080/check", List.of("Cookie"),
            List.of("x-user"), 500, ExternalAuth.OnError.ALLOW, 0, 1000)),
        new AuthPolicy(new ExternalAuth("http://authz.svc:8080/check", null, null, 500, null, 0,
            0, "GET", "https://login/?rd=$escaped_request_uri", "$http_authorization",
            Map.of(200, 1000L, 401, 500L), ExternalAuth.AnswerCookies.ON_SUCCESS)),
        new AuthPolicy(new UnusableAuth("secret missing")));
    for (AuthPolicy policy : policies) {
      String json = SnapshotCodec.toJsonString(policy);
      assertEquals(policy, SnapshotCodec.fromJson(json, FilterConfig.class), json);
    }
  }

  @Test
  void theMechanismIsAnObjectNamedByItsType() throws Exception {
    String json = SnapshotCodec.toJsonString(
        new AuthPolicy(new BasicAuth("shop", Map.of("alice", BCRYPT), "x-remote-user")));
    assertTrue(json.startsWith("{\"type\":\"auth\",\"mechanism\":{\"basic\":{"), json);
  }

  @Test
  void aRouteCarriesItsAuthPolicy() throws Exception {
    Route route = new Route("r", RouteMatch.path(new PathMatch.Prefix("/")),
        new RouteAction.DirectResponse(200, "ok"), HeaderRewrite.NONE, HeaderRewrite.NONE)
        .withFilters(List.of(new AuthPolicy(new UnusableAuth("x"))));
    assertEquals(route, SnapshotCodec.fromJson(SnapshotCodec.toJsonString(route), Route.class));
  }

  @Test
  void plainTextAndMd5PasswordsAreRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new BasicAuth("r", Map.of("bob", "secret"), "x-u"));
    assertThrows(IllegalArgumentException.class,
        () -> new BasicAuth("r", Map.of("bob", "$apr1$abc$def"), "x-u"));
  }

  @Test
  void jwtNeedsExactlyOneKeySource() {
    assertThrows(IllegalArgumentException.class,
        () -> new JwtAuth("i", List.of(), null, null, null, null, null, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new JwtAuth("i", List.of(), "https://x/jwks", "{}", null, null, null, 0));
  }

  @Test
  void externalAuthNeedsAnHttpUrlAndATimeout() {
    assertThrows(IllegalArgumentException.class,
        () -> new ExternalAuth("ftp://x", null, null, 100, null, 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new ExternalAuth("http://x", null, null, 0, null, 0, 0));
  }

  @Test
  void externalAuthCachesDecidingAnswersWithKnownVariablesOnly() {
    assertThrows(IllegalArgumentException.class, () -> new ExternalAuth("http://x", null, null,
        100, null, 0, 0, null, null, null, Map.of(500, 1000L), null));
    assertThrows(IllegalArgumentException.class, () -> new ExternalAuth("http://x", null, null,
        100, null, 0, 1000, null, null, null, Map.of(200, 1000L), null), "one of the two");
    assertThrows(IllegalArgumentException.class, () -> new ExternalAuth("http://x", null, null,
        100, null, 0, 1000, null, null, "$server_name", Map.of(), null));
    assertThrows(IllegalArgumentException.class, () -> new ExternalAuth("http://x", null, null,
        100, null, 0, 0, null, null, "$http_authorization", Map.of(), null), "a key needs a time");
    assertThrows(IllegalArgumentException.class, () -> new ExternalAuth("http://x", null, null,
        100, null, 0, 0, null, "login?u=$host", null, null, null), "a URL or an absolute path");
    ExternalAuth byStatus = new ExternalAuth("http://x", null, null, 100, null, 0, 0, null, null,
        "$cookie_s$arg_token", Map.of(204, 1000L, 403, 2000L), null);
    assertEquals(1000, byStatus.cacheMillisFor(204));
    assertEquals(0, byStatus.cacheMillisFor(200));
    assertEquals(2000, byStatus.cacheMillisFor(403));
    ExternalAuth allowing = new ExternalAuth("http://x", null, null, 100, null, 0, 5000);
    assertEquals(5000, allowing.cacheMillisFor(299));
    assertEquals(0, allowing.cacheMillisFor(401));
  }
}
