package io.portcullis.dataplane.filters.auth;

import io.portcullis.dataplane.testing.FakeFilterContext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.DefaultEventLoop;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.BasicAuth;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.apache.commons.codec.digest.Sha2Crypt;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class BasicAuthFilterTest {
  static DefaultEventLoop loop;
  static AuthFilters auth;
  static HttpFilter filter;

  @BeforeAll
  static void setUp() {
    loop = new DefaultEventLoop();
    auth = new AuthFilters(request -> { throw new AssertionError("no subrequests"); },
        new PrometheusRegistry());
    byte[] salt = new byte[16];
    new SecureRandom().nextBytes(salt);
    Map<String, String> users = Map.of(
        "alice", OpenBSDBCrypt.generate("2y", "wonderland".toCharArray(), salt, 4),
        "bob", Sha2Crypt.sha256Crypt("builder".getBytes(StandardCharsets.UTF_8)),
        "carol", Sha2Crypt.sha512Crypt("s3cret:with:colons".getBytes(StandardCharsets.UTF_8)));
    filter = auth.create(new AuthPolicy(new BasicAuth("shop", users, "x-remote-user")));
  }

  @AfterAll
  static void tearDown() {
    auth.close();
    loop.shutdownGracefully();
  }

  private static ChainOutcome request(String authorization) throws Exception {
    FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "shop.example.com", "/orders").on(loop);
    ctx.request().headers().set("x-remote-user", "admin"); // spoofed by the client
    if (authorization != null) {
      ctx.request().headers().set("authorization", authorization);
    }
    return ChainOutcome.run(filter, ctx);
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString(
        (user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void noCredentialsAreChallengedWithTheRealm() throws Exception {
    ChainOutcome out = request(null);
    assertFalse(out.proceeded());
    assertEquals(401, out.status());
    assertEquals("Basic realm=\"shop\", charset=\"UTF-8\"", out.headers().get("www-authenticate"));
  }

  @Test
  void aBcryptPasswordLetsTheUserInUnderTheirOwnName() throws Exception {
    for (int i = 0; i < 2; i++) { // the second time from the cache of verified credentials
      ChainOutcome out = request(basic("alice", "wonderland"));
      assertTrue(out.proceeded());
      assertEquals("alice", out.headers().get("x-remote-user"));
      assertEquals(1, out.headers().getAll("x-remote-user").size());
    }
  }

  @Test
  void shaCryptPasswordsVerifyToo() throws Exception {
    assertTrue(request(basic("bob", "builder")).proceeded());
    assertTrue(request(basic("carol", "s3cret:with:colons")).proceeded());
  }

  @Test
  void aWrongPasswordAnUnknownUserAndGarbageAre401() throws Exception {
    assertEquals(401, request(basic("alice", "wrong")).status());
    assertEquals(401, request(basic("mallory", "wonderland")).status());
    assertEquals(401, request("Basic %%%not-base64").status());
    assertEquals(401, request("Bearer abc").status());
  }

  @Test
  void aSpoofedUserHeaderNeverReachesTheBackendOnDenial() throws Exception {
    FakeFilterContext ctx = FakeFilterContext.of("http", "GET", "shop.example.com", "/").on(loop);
    ctx.request().headers().set("x-remote-user", "admin");
    ChainOutcome.run(filter, ctx);
    assertNull(ctx.request().headers().get("x-remote-user"));
  }
}
