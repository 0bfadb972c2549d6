package io.portcullis.dataplane.filters.auth;

import io.portcullis.dataplane.testing.FakeFilterContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.netty.channel.DefaultEventLoop;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.JwtAuth.TokenSource;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** JWT checks against a key set served over a real socket, fetched by the real subrequest client. */
class JwtAuthFilterTest {
  static final String ISSUER = "https://issuer.example";

  DefaultEventLoop loop;
  HttpServer jwksServer;
  JdkSubrequestClient client;
  AuthFilters auth;
  RSAKey key1;
  RSAKey key2;
  final AtomicReference<JWKSet> served = new AtomicReference<>();
  final AtomicInteger fetches = new AtomicInteger();
  HttpFilter filter;

  @BeforeEach
  void setUp() throws Exception {
    loop = new DefaultEventLoop();
    key1 = new RSAKeyGenerator(2048).keyID("k1").generate();
    key2 = new RSAKeyGenerator(2048).keyID("k2").generate();
    served.set(new JWKSet(key1.toPublicJWK()));
    jwksServer = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    jwksServer.createContext("/jwks", exchange -> {
      fetches.incrementAndGet();
      byte[] body = served.get().toString().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("content-type", "application/json");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    jwksServer.start();
    client = new JdkSubrequestClient(Duration.ofSeconds(2));
    auth = new AuthFilters(client, new PrometheusRegistry(), Duration.ZERO);
    filter = filter(Map.of());
  }

  private HttpFilter filter(Map<String, String> required) {
    return auth.create(new AuthPolicy(new JwtAuth(ISSUER, List.of("shop"),
        "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks", null,
        List.of(new TokenSource(TokenSource.From.HEADER, "authorization"),
            new TokenSource(TokenSource.From.COOKIE, "access_token")),
        required, Map.of("sub", "x-user", "groups", "x-groups"), 30)));
  }

  @AfterEach
  void tearDown() {
    jwksServer.stop(0);
    client.close();
    auth.close();
    loop.shutdownGracefully();
  }

  private static JWTClaimsSet.Builder claims() {
    return new JWTClaimsSet.Builder().issuer(ISSUER).audience("shop").subject("alice")
        .claim("groups", List.of("staff", "admins"))
        .expirationTime(new Date(System.currentTimeMillis() + 60_000));
  }

  private static String sign(RSAKey key, JWTClaimsSet claims) throws Exception {
    SignedJWT jwt = new SignedJWT(
        new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(), claims);
    jwt.sign(new RSASSASigner(key));
    return jwt.serialize();
  }

  private ChainOutcome bearer(HttpFilter f, String token) throws Exception {
    FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "shop.example.com", "/api").on(loop);
    ctx.request().headers().set("x-user", "spoofed");
    if (token != null) {
      ctx.request().headers().set("authorization", "Bearer " + token);
    }
    return ChainOutcome.run(f, ctx);
  }

  @Test
  void aValidTokenPassesWithItsClaimsInHeaders() throws Exception {
    ChainOutcome out = bearer(filter, sign(key1, claims().build()));
    assertTrue(out.proceeded(), () -> out.headers().toString());
    assertEquals("alice", out.headers().get("x-user"));
    assertEquals("staff,admins", out.headers().get("x-groups"));
  }

  @Test
  void theTokenMayComeInACookie() throws Exception {
    FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "shop.example.com", "/api").on(loop);
    ctx.request().headers().set("cookie", "a=b; access_token=" + sign(key1, claims().build()));
    assertTrue(ChainOutcome.run(filter, ctx).proceeded());
  }

  @Test
  void noTokenIsChallengedWithoutAnErrorCode() throws Exception {
    ChainOutcome out = bearer(filter, null);
    assertEquals(401, out.status());
    assertEquals("Bearer", out.headers().get("www-authenticate"));
  }

  @Test
  void expiredWrongIssuerAndWrongAudienceAreInvalidTokens() throws Exception {
    for (JWTClaimsSet bad : List.of(
        claims().expirationTime(new Date(System.currentTimeMillis() - 120_000)).build(),
        claims().issuer("https://evil.example").build(),
        claims().audience("other").build(),
        claims().expirationTime(null).build())) {
      ChainOutcome out = bearer(filter, sign(key1, bad));
      assertEquals(401, out.status(), bad.toString());
      assertTrue(out.headers().get("www-authenticate").startsWith("Bearer error=\"invalid_token\""),
          out.headers().get("www-authenticate"));
    }
  }

  @Test
  void aTokenWithinTheClockSkewStillPasses() throws Exception {
    JWTClaimsSet justExpired =
        claims().expirationTime(new Date(System.currentTimeMillis() - 5_000)).build();
    assertTrue(bearer(filter, sign(key1, justExpired)).proceeded());
  }

  @Test
  void unsignedAndSharedSecretTokensAreRefused() throws Exception {
    assertEquals(401, bearer(filter, new PlainJWT(claims().build()).serialize()).status());
    SignedJWT hs = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(),
        claims().build());
    hs.sign(new MACSigner(new byte[32]));
    assertEquals(401, bearer(filter, hs.serialize()).status());
    assertEquals(401, bearer(filter, "not.a.jwt").status());
  }

  @Test
  void aTamperedTokenFails() throws Exception {
    String token = sign(key1, claims().build());
    String other = sign(key1, claims().subject("admin").build());
    String forged = token.substring(0, token.indexOf('.') + 1)
        + other.split("\\.")[1] + token.substring(token.lastIndexOf('.'));
    assertEquals(401, bearer(filter, forged).status());
  }

  @Test
  void aMissingRequiredClaimValueIsForbiddenWithInsufficientScope() throws Exception {
    HttpFilter strict = filter(Map.of("groups", "admins", "scope", "orders:write"));
    ChainOutcome out = bearer(strict, sign(key1, claims().claim("scope", "orders:read").build()));
    assertEquals(403, out.status());
    assertTrue(out.headers().get("www-authenticate").contains("error=\"insufficient_scope\""));
    assertTrue(bearer(strict, sign(key1, claims().claim("scope", "orders:read orders:write")
        .build())).proceeded());
  }

  @Test
  void aRotatedSigningKeyIsFetchedWhenATokenNamesIt() throws Exception {
    assertTrue(bearer(filter, sign(key1, claims().build())).proceeded());
    served.set(new JWKSet(List.of(key2.toPublicJWK())));
    ChainOutcome out = bearer(filter, sign(key2, claims().build()));
    assertTrue(out.proceeded(), () -> out.status() + " " + out.headers());
    // the retired key is gone after the refetch
    assertEquals(401, bearer(filter, sign(key1, claims().subject("bob").build())).status());
  }

  @Test
  void unknownKeyIdsDoNotRefetchMoreThanTheRateLimitAllows() throws Exception {
    AuthFilters limited = new AuthFilters(client, new PrometheusRegistry(), Duration.ofHours(1));
    HttpFilter f = limited.create(new AuthPolicy(new JwtAuth(ISSUER, List.of(),
        "http://127.0.0.1:" + jwksServer.getAddress().getPort() + "/jwks", null, null, null,
        null, 0)));
    assertTrue(bearer(f, sign(key1, claims().build())).proceeded());
    int before = fetches.get();
    RSAKey stranger = new RSAKeyGenerator(2048).keyID("made-up").generate();
    for (int i = 0; i < 5; i++) {
      assertEquals(401, bearer(f, sign(stranger, claims().subject("u" + i).build())).status());
    }
    assertEquals(before, fetches.get());
    limited.close();
  }

  @Test
  void keysThatCannotBeFetchedAnswer503() throws Exception {
    jwksServer.stop(0);
    HttpFilter f = auth.create(new AuthPolicy(new JwtAuth(ISSUER, List.of(),
        "http://127.0.0.1:1/jwks", null, null, null, null, 0)));
    assertEquals(503, bearer(f, sign(key1, claims().build())).status());
  }
}
