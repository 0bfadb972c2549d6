package io.portcullis.dataplane.filters.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKMatcher;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import io.portcullis.snapshot.filter.JwtAuth;
import java.text.ParseException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks one signed JWT against a key set and a {@link JwtAuth} config: signature (RSA and EC keys
 * only: a public key set never holds a shared secret, and "none" is not a signature), issuer,
 * audience, expiry and not-before with the configured skew, and required claim values.
 */
final class JwtVerifier {
  /** What a check came to. */
  sealed interface Verdict {}

  /** Valid: {@code claims} verified, {@code expiresAtMillis} from {@code exp}. */
  record Valid(JWTClaimsSet claims, long expiresAtMillis) implements Verdict {}

  /** No key in the set matches the token's header: fresh keys may help. */
  record UnknownKey() implements Verdict {}

  /** Invalid (RFC 6750 {@code invalid_token}), with a description safe to send. */
  record Invalid(String description) implements Verdict {}

  /** Valid but a required claim is missing or has another value ({@code insufficient_scope}). */
  record Insufficient(String description) implements Verdict {}

  private final JwtAuth config;
  private final DefaultJWTClaimsVerifier<com.nimbusds.jose.proc.SecurityContext> claimsVerifier;

  JwtVerifier(JwtAuth config) {
    this.config = config;
    Set<String> audiences = config.audiences().isEmpty() ? null : new HashSet<>(config.audiences());
    claimsVerifier = new DefaultJWTClaimsVerifier<>(audiences,
        new JWTClaimsSet.Builder().issuer(config.issuer()).build(), Set.of("exp"), null);
    claimsVerifier.setMaxClockSkew((int) config.clockSkewSeconds());
  }

  /** Parses a token; null when it is not a signed JWT. */
  static SignedJWT parse(String token) {
    try {
      return SignedJWT.parse(token);
    } catch (ParseException e) {
      return null;
    }
  }

  Verdict verify(SignedJWT jwt, JWKSet keys) {
    JWSHeader header = jwt.getHeader();
    List<JWK> candidates = keys == null ? List.of()
        : new JWKSelector(JWKMatcher.forJWSHeader(header)).select(keys);
    if (candidates.isEmpty()) {
      return new UnknownKey();
    }
    boolean signed = false;
    for (JWK key : candidates) {
      try {
        JWSVerifier verifier;
        if (key instanceof RSAKey rsa) {
          verifier = new RSASSAVerifier(rsa);
        } else if (key instanceof ECKey ec) {
          verifier = new ECDSAVerifier(ec);
        } else {
          continue;
        }
        if (jwt.verify(verifier)) {
          signed = true;
          break;
        }
      } catch (JOSEException e) {
        // this key cannot check this algorithm: try the next one
      }
    }
    if (!signed) {
      return new Invalid("the signature does not verify");
    }
    JWTClaimsSet claims;
    try {
      claims = jwt.getJWTClaimsSet();
      claimsVerifier.verify(claims, null);
    } catch (ParseException e) {
      return new Invalid("the claims are not valid JSON");
    } catch (BadJWTException e) {
      return new Invalid(e.getMessage());
    }
    for (Map.Entry<String, String> required : config.requiredClaims().entrySet()) {
      if (!has(claims.getClaim(required.getKey()), required.getValue())) {
        return new Insufficient("claim " + required.getKey() + " must be " + required.getValue());
      }
    }
    return new Valid(claims, claims.getExpirationTime().getTime());
  }

  /** A string claim equal to {@code value}, a list claim holding it, or a space-separated scope. */
  private static boolean has(Object claim, String value) {
    if (claim instanceof String s) {
      return s.equals(value) || List.of(s.split(" ")).contains(value);
    }
    if (claim instanceof List<?> list) {
      return list.stream().anyMatch(v -> value.equals(String.valueOf(v)));
    }
    return claim != null && value.equals(String.valueOf(claim));
  }
}
