package io.portcullis.dataplane.filters.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.portcullis.dataplane.filters.auth.OidcProvider.Metadata;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.OidcAuth;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * Checks the ID token in a token endpoint's answer: signed by one of the provider's keys, issued
 * by it for our client id, not expired, and (after a code exchange) carrying the nonce of the
 * login it answers, so a token from another login cannot be slipped in.
 */
final class OidcIdTokens {
  private final JwtVerifier verifier;

  OidcIdTokens(OidcAuth config) {
    // Issuer, audience (our client id) and expiry; the key set is the provider's.
    this.verifier = new JwtVerifier(new JwtAuth(config.issuer(), List.of(config.clientId()),
        null, "{\"keys\":[]}", null, null, null, 60));
  }

  /**
   * The ID token's claims; fails when there is none or it is not valid. {@code nonce} null skips
   * the nonce check (a refresh answers no login).
   */
  CompletionStage<JWTClaimsSet> verify(Metadata md, JsonNode answer, String nonce) {
    String token = answer.path("id_token").asText(null);
    SignedJWT jwt = token == null ? null : JwtVerifier.parse(token);
    if (jwt == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("no signed id_token"));
    }
    JwtVerifier.Verdict first = verifier.verify(jwt, md.keys().current());
    // An unknown key may be a rotation we have not seen yet: fetch the key set once more.
    CompletionStage<JwtVerifier.Verdict> verdict = first instanceof JwtVerifier.UnknownKey
        ? md.keys().refresh().thenApply(keys -> verifier.verify(jwt, keys))
        : CompletableFuture.completedFuture(first);
    return verdict.thenApply(v -> {
      if (!(v instanceof JwtVerifier.Valid valid)) {
        throw new CompletionException(new IllegalStateException("id_token rejected: " + v));
      }
      if (nonce != null && !nonce.equals(stringClaim(valid.claims(), "nonce"))) {
        throw new CompletionException(new IllegalStateException("id_token nonce mismatch"));
      }
      return valid.claims();
    });
  }

  /** The claim's value if it is a string, else null. */
  static String stringClaim(JWTClaimsSet claims, String name) {
    Object v = claims.getClaim(name);
    return v instanceof String s ? s : null;
  }
}
