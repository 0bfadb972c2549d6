package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Bearer tokens that are signed JWTs (RFC 7519), verified against a JSON Web Key Set.
 *
 * @param issuer the {@code iss} a token must carry
 * @param audiences a token's {@code aud} must name at least one of these; empty: not checked
 * @param jwksUri where the key set is fetched (http or https), or null when {@code jwks} is given
 * @param jwks the key set itself (JSON, from a Secret), or null when {@code jwksUri} is given
 * @param tokenSources where the token is looked for, in order; empty means the {@code
 *     Authorization} header's Bearer credentials
 * @param requiredClaims claim name to the value it must have (or contain, for a list claim)
 * @param claimHeaders claim name to the request header its value goes upstream in (a value the
 *     client sent in that header is removed first); lower-case header names
 * @param clockSkewSeconds tolerance for {@code exp} and {@code nbf}
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record JwtAuth(
    String issuer,
    List<String> audiences,
    String jwksUri,
    String jwks,
    List<TokenSource> tokenSources,
    Map<String, String> requiredClaims,
    Map<String, String> claimHeaders,
    long clockSkewSeconds)
    implements AuthMechanism {
  public static final long MAX_CLOCK_SKEW_SECONDS = 600;

  public JwtAuth {
    if (issuer == null || issuer.isBlank()) {
      throw new IllegalArgumentException("jwt auth needs an issuer");
    }
    audiences = audiences == null ? List.of()
        : audiences.stream().map(Objects::requireNonNull).distinct().sorted().toList();
    if ((jwksUri == null) == (jwks == null)) {
      throw new IllegalArgumentException("jwt auth needs exactly one of jwksUri and jwks");
    }
    if (jwksUri != null) {
      URI uri = URI.create(jwksUri);
      if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
        throw new IllegalArgumentException("jwt jwksUri must be an http or https URL: " + jwksUri);
      }
    }
    tokenSources = tokenSources == null ? List.of() : List.copyOf(tokenSources);
    requiredClaims = Collections.unmodifiableMap(new TreeMap<>(
        requiredClaims == null ? Map.of() : requiredClaims));
    TreeMap<String, String> headers = new TreeMap<>();
    if (claimHeaders != null) {
      claimHeaders.forEach((claim, header) ->
          headers.put(claim, AuthMechanism.headerName(header, "jwt claimHeaders")));
    }
    claimHeaders = Collections.unmodifiableMap(headers);
    if (clockSkewSeconds < 0 || clockSkewSeconds > MAX_CLOCK_SKEW_SECONDS) {
      throw new IllegalArgumentException(
          "jwt clock skew must be 0 to " + MAX_CLOCK_SKEW_SECONDS + " seconds");
    }
  }

  @Override
  public String name() {
    return "jwt";
  }

  /**
   * Where a token is found.
   *
   * @param from a header (its value, or its Bearer credentials for {@code authorization}), a
   *     cookie, or a query parameter
   * @param name the header (lower case), cookie or parameter name
   */
  public record TokenSource(From from, String name) {
    public enum From { HEADER, COOKIE, QUERY }

    public TokenSource {
      Objects.requireNonNull(from, "token source needs a kind");
      name = from == From.HEADER ? AuthMechanism.headerName(name, "jwt token header")
          : Objects.requireNonNull(name, "token source needs a name");
      if (name.isEmpty()) {
        throw new IllegalArgumentException("jwt token source needs a name");
      }
    }
  }
}
