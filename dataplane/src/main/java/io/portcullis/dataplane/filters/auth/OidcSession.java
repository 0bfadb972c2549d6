package io.portcullis.dataplane.filters.auth;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * What a session cookie holds, sealed: who signed in, the claims routes pass upstream, the
 * tokens, and the times that end it.
 *
 * @param subject the ID token's {@code sub}
 * @param user {@code email}, else {@code preferred_username}, else {@code sub}: what
 *     {@code allowedUsers} are matched against
 * @param groups the groups claim's values
 * @param claims the ID token's string-valued claims (for claim headers)
 * @param idToken the ID token (for pass-through and {@code id_token_hint} at logout)
 * @param accessToken the access token
 * @param refreshToken the refresh token, or null
 * @param accessExpiresAt epoch seconds when the access token expires
 * @param endsAt epoch seconds when the session ends, refreshes or not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record OidcSession(String subject, String user, List<String> groups, Map<String, String> claims,
    String idToken, String accessToken, String refreshToken, long accessExpiresAt, long endsAt) {
  private static final ObjectMapper JSON = new ObjectMapper();

  OidcSession {
    groups = groups == null ? List.of() : List.copyOf(groups);
    claims = claims == null ? Map.of() : Map.copyOf(claims);
  }

  byte[] toJson() {
    try {
      return JSON.writeValueAsBytes(this);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static OidcSession fromJson(byte[] json) {
    try {
      return JSON.readValue(json, OidcSession.class);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * The state of a login in progress, sealed into a short-lived cookie: checked on the callback
   * against the provider's answer.
   */
  record Login(String state, String nonce, String verifier, String returnTo, long startedAt) {
    byte[] toJson() {
      try {
        return JSON.writeValueAsBytes(this);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    static Login fromJson(byte[] json) {
      try {
        return JSON.readValue(json, Login.class);
      } catch (IOException e) {
        return null;
      }
    }
  }
}
