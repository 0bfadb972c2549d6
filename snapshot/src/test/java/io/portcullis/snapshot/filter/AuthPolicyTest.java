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
}
