package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * OpenID Connect single sign-on: the proxy is the relying party. A browser without a session is
 * sent to the provider (authorization code flow with PKCE S256, state and nonce), comes back to
 * {@code callbackPath}, and gets an encrypted session cookie; API clients get 401 instead.
 *
 * @param issuer the provider's issuer URL; its discovery document is read from
 *     {@code issuer/.well-known/openid-configuration}
 * @param clientId this relying party's client id
 * @param clientSecret its client secret (from a Secret)
 * @param scopes scopes asked for; always holds {@code openid}
 * @param callbackPath where the provider sends the browser back
 * @param logoutPath where the session ends (and, when the provider has an end-session endpoint,
 *     the browser is sent there)
 * @param postLogoutRedirectUri where the provider sends the browser after logout, or null
 * @param sessionKeys base64 AES-256 keys: the first encrypts session cookies, every one decrypts
 *     (an old key kept for a while lets sessions survive a rotation)
 * @param cookieName the session cookie's name (chunks get {@code _1}, {@code _2}, ...)
 * @param sessionMaxAgeSeconds how long a session lasts at most, refreshes included
 * @param allowedUsers when not empty, only these users ({@code email} or {@code sub}); others 403
 * @param allowedGroups when not empty, only members of one of these groups; others 403
 * @param groupsClaim the ID token claim listing the user's groups
 * @param claimHeaders ID token claim to the request header its value goes upstream in
 * @param idTokenHeader the header the ID token goes upstream in, or null
 * @param accessTokenHeader the header the access token goes upstream in ({@code authorization}
 *     gets {@code Bearer }), or null
 * @param trustForwardedHeaders build the redirect URI from {@code X-Forwarded-Proto} and
 *     {@code -Host} (behind another proxy) instead of the request's own scheme and Host
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record OidcAuth(
    String issuer,
    String clientId,
    String clientSecret,
    List<String> scopes,
    String callbackPath,
    String logoutPath,
    String postLogoutRedirectUri,
    List<String> sessionKeys,
    String cookieName,
    long sessionMaxAgeSeconds,
    List<String> allowedUsers,
    List<String> allowedGroups,
    String groupsClaim,
    Map<String, String> claimHeaders,
    String idTokenHeader,
    String accessTokenHeader,
    boolean trustForwardedHeaders)
    implements AuthMechanism {

  public OidcAuth {
    URI uri = URI.create(Objects.requireNonNull(issuer, "oidc needs an issuer"));
    if (!"https".equals(uri.getScheme()) && !"http".equals(uri.getScheme())) {
      throw new IllegalArgumentException("oidc issuer must be an http or https URL: " + issuer);
    }
    if (clientId == null || clientId.isEmpty() || clientSecret == null || clientSecret.isEmpty()) {
      throw new IllegalArgumentException("oidc needs a client id and a client secret");
    }
    scopes = scopes == null ? List.of() : scopes;
    if (!scopes.contains("openid")) {
      scopes = java.util.stream.Stream.concat(java.util.stream.Stream.of("openid"), scopes.stream())
          .toList();
    }
    scopes = List.copyOf(scopes);
    for (String path : List.of(callbackPath, logoutPath)) {
      if (path == null || !path.startsWith("/") || path.contains("?")) {
        throw new IllegalArgumentException("oidc callback and logout paths are absolute paths");
      }
    }
    if (callbackPath.equals(logoutPath)) {
      throw new IllegalArgumentException("oidc callback and logout paths must differ");
    }
    sessionKeys = List.copyOf(Objects.requireNonNull(sessionKeys, "oidc needs session keys"));
    if (sessionKeys.isEmpty()) {
      throw new IllegalArgumentException("oidc needs at least one session key");
    }
    for (String key : sessionKeys) {
      byte[] bytes;
      try {
        bytes = Base64.getDecoder().decode(key);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("oidc session keys are base64");
      }
      if (bytes.length != 32) {
        throw new IllegalArgumentException("oidc session keys are 32 bytes (AES-256)");
      }
    }
    if (cookieName == null || !cookieName.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new IllegalArgumentException("oidc cookie name must be 1-64 of A-Z a-z 0-9 _ . -");
    }
    if (sessionMaxAgeSeconds <= 0) {
      throw new IllegalArgumentException("oidc session max age must be positive");
    }
    allowedUsers = allowedUsers == null ? List.of() : List.copyOf(allowedUsers);
    allowedGroups = allowedGroups == null ? List.of() : List.copyOf(allowedGroups);
    groupsClaim = groupsClaim == null || groupsClaim.isEmpty() ? "groups" : groupsClaim;
    TreeMap<String, String> headers = new TreeMap<>();
    if (claimHeaders != null) {
      claimHeaders.forEach((claim, header) ->
          headers.put(claim, AuthMechanism.headerName(header, "oidc claimHeaders")));
    }
    claimHeaders = Collections.unmodifiableMap(headers);
    idTokenHeader = idTokenHeader == null ? null
        : AuthMechanism.headerName(idTokenHeader, "oidc idTokenHeader");
    accessTokenHeader = accessTokenHeader == null ? null
        : AuthMechanism.headerName(accessTokenHeader, "oidc accessTokenHeader");
  }

  @Override
  public String name() {
    return "oidc";
  }

  /** Hides the client secret and keys from logs. */
  @Override
  public String toString() {
    return "OidcAuth[issuer=" + issuer + ", clientId=" + clientId + ", callbackPath="
        + callbackPath + "]";
  }
}
