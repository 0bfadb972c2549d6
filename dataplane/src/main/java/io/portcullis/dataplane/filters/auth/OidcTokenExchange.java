package io.portcullis.dataplane.filters.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jwt.JWTClaimsSet;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.filter.SubrequestClient.Subrequest;
import io.portcullis.dataplane.filters.auth.OidcProvider.Metadata;
import io.portcullis.snapshot.filter.OidcAuth;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * The provider's token endpoint: an authorization code (with its PKCE verifier) or a refresh
 * token goes in, a session comes out. Requests are subrequests, so they never block an event
 * loop; the returned stages complete off it.
 */
final class OidcTokenExchange {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int MAX_TOKEN_ANSWER = 256 * 1024;

  private final OidcAuth config;
  private final SubrequestClient client;
  private final OidcIdTokens idTokens;
  private final LongSupplier nowSeconds;

  OidcTokenExchange(OidcAuth config, SubrequestClient client, OidcIdTokens idTokens,
      LongSupplier nowSeconds) {
    this.config = config;
    this.client = client;
    this.idTokens = idTokens;
    this.nowSeconds = nowSeconds;
  }

  /** A new session for the code the callback got; its ID token must carry {@code nonce}. */
  CompletionStage<OidcSession> redeemCode(Metadata md, String code, String redirectUri,
      String verifier, String nonce) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "authorization_code");
    form.put("code", code);
    form.put("redirect_uri", redirectUri);
    form.put("code_verifier", verifier);
    return tokens(md, form)
        .thenCompose(answer -> idTokens.verify(md, answer, nonce)
            .thenApply(claims -> newSession(answer, claims, null)));
  }

  /** {@code old} with fresh tokens; it keeps its end. */
  CompletionStage<OidcSession> refresh(Metadata md, OidcSession old) {
    Map<String, String> form = new LinkedHashMap<>();
    form.put("grant_type", "refresh_token");
    form.put("refresh_token", old.refreshToken());
    return tokens(md, form).thenCompose(answer -> {
      // Providers need not send a new ID token on refresh: then the old claims stand.
      if (answer.path("id_token").asText(null) == null) {
        return CompletableFuture.completedFuture(newSession(answer, null, old));
      }
      return idTokens.verify(md, answer, null).thenApply(claims -> newSession(answer, claims, old));
    });
  }

  /**
   * The session an answer makes: from {@code claims} when there are some, else from
   * {@code old}'s; tokens the answer lacks are kept from {@code old}.
   */
  private OidcSession newSession(JsonNode answer, JWTClaimsSet claims, OidcSession old) {
    long now = nowSeconds.getAsLong();
    String accessToken = answer.path("access_token").asText(null);
    if (accessToken == null) {
      throw new CompletionException(new IllegalStateException("no access_token"));
    }
    long expiresIn = answer.path("expires_in").asLong(0);
    String refreshToken =
        answer.path("refresh_token").asText(old == null ? null : old.refreshToken());
    String idToken = answer.path("id_token").asText(old == null ? null : old.idToken());
    if (claims == null) {
      return new OidcSession(old.subject(), old.user(), old.groups(), old.claims(), idToken,
          accessToken, refreshToken, now + (expiresIn > 0 ? expiresIn : 300), old.endsAt());
    }
    // Only the claims a header passes upstream: the cookie stays small.
    Map<String, String> strings = new TreeMap<>();
    claims.getClaims().forEach((name, value) -> {
      if (value instanceof String s && config.claimHeaders().containsKey(name)) {
        strings.put(name, s);
      }
    });
    List<String> groups = new ArrayList<>();
    Object g = claims.getClaim(config.groupsClaim());
    if (g instanceof List<?> list) {
      list.forEach(v -> groups.add(String.valueOf(v)));
    } else if (g instanceof String s) {
      groups.add(s);
    }
    String user = firstNonNull(OidcIdTokens.stringClaim(claims, "email"),
        OidcIdTokens.stringClaim(claims, "preferred_username"), claims.getSubject());
    long exp = expiresIn > 0 ? now + expiresIn : claims.getExpirationTime().getTime() / 1000;
    return new OidcSession(claims.getSubject(), user, groups, strings, idToken, accessToken,
        refreshToken, exp, old == null ? now + config.sessionMaxAgeSeconds() : old.endsAt());
  }

  /** The endpoint's JSON answer to {@code form}, authenticated as our client (basic auth). */
  private CompletionStage<JsonNode> tokens(Metadata md, Map<String, String> form) {
    HttpHeaders headers = new DefaultHttpHeaders();
    headers.set(HttpHeaderNames.CONTENT_TYPE, "application/x-www-form-urlencoded");
    headers.set(HttpHeaderNames.ACCEPT, "application/json");
    // RFC 6749 2.3.1: id and secret are form-encoded before they are joined.
    headers.set(HttpHeaderNames.AUTHORIZATION, "Basic " + Base64.getEncoder().encodeToString(
        (UrlForms.encode(config.clientId()) + ":" + UrlForms.encode(config.clientSecret()))
            .getBytes(StandardCharsets.UTF_8)));
    return client.send(new Subrequest("POST", md.tokenEndpoint(), headers,
            UrlForms.form(form).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10),
            MAX_TOKEN_ANSWER))
        .thenApply(response -> {
          if (response.status() != 200) {
            throw new CompletionException(new IllegalStateException(
                "token endpoint answered " + response.status()));
          }
          try {
            return JSON.readTree(response.body());
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        });
  }

  @SafeVarargs
  private static <T> T firstNonNull(T... values) {
    for (T v : values) {
      if (v != null) {
        return v;
      }
    }
    return null;
  }
}
