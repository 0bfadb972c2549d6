package io.portcullis.operator.compile;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.Secret;
import io.portcullis.operator.crd.AuthSpec;
import io.portcullis.snapshot.filter.AuthMechanism;
import io.portcullis.snapshot.filter.BasicAuth;
import io.portcullis.snapshot.filter.ExternalAuth;
import io.portcullis.snapshot.filter.JwtAuth;
import io.portcullis.snapshot.filter.OidcAuth;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns one authentication setting (a ProxyRoute {@code auth} block, or an Ingress's {@code
 * portcullis.io/auth-*} annotations) into the snapshot's {@link AuthMechanism}, reading and
 * checking the Secrets it names: htpasswd files and auth maps, key sets, OIDC client and session
 * secrets. Their content travels in the snapshot. Anything unusable is an {@link
 * InvalidInputException}; {@link AuthPass} decides what the object is told and fails closed.
 */
final class AuthMechanisms {
  static final String AUTH_TYPE = "portcullis.io/auth-type";
  static final String AUTH_SECRET = "portcullis.io/auth-secret";
  static final String AUTH_REALM = "portcullis.io/auth-realm";
  /** {@code auth-file} (default: htpasswd lines under key {@code auth}) or {@code auth-map}. */
  static final String AUTH_SECRET_TYPE = "portcullis.io/auth-secret-type";
  static final String AUTH_URL = "portcullis.io/auth-url";
  static final String AUTH_RESPONSE_HEADERS = "portcullis.io/auth-response-headers";
  static final String AUTH_METHOD = "portcullis.io/auth-method";
  static final String AUTH_SIGNIN = "portcullis.io/auth-signin";
  static final String AUTH_SIGNIN_REDIRECT_PARAM = "portcullis.io/auth-signin-redirect-param";
  static final String AUTH_CACHE_KEY = "portcullis.io/auth-cache-key";
  /** Drop, OnSuccess or Always: as the ProxyRoute field answerCookies. */
  static final String AUTH_ANSWER_COOKIES = "portcullis.io/auth-answer-cookies";
  static final String AUTH_CACHE_DURATION = "portcullis.io/auth-cache-duration";
  /** The htpasswd key of a basic-auth Secret (as ingress-nginx). */
  static final String HTPASSWD_KEY = "auth";
  /** The key set key of a JWT Secret. */
  static final String JWKS_KEY = "jwks";
  static final String DEFAULT_REALM = "Authentication Required";
  static final String DEFAULT_USER_HEADER = "x-remote-user";
  static final long DEFAULT_EXTERNAL_TIMEOUT_MILLIS = 2000;
  static final long DEFAULT_CLOCK_SKEW_MILLIS = 60_000;
  static final List<String> DEFAULT_EXTERNAL_HEADERS = List.of("authorization", "cookie");
  static final long DEFAULT_SESSION_MILLIS = 12 * 3_600_000L;
  /** The keys of an OIDC session Secret: the key that seals, and one that still opens. */
  static final String SESSION_KEY = "session-key";
  static final String PREVIOUS_SESSION_KEY = "previous-session-key";
  /** Largest htpasswd or key set taken into the snapshot. */
  static final int MAX_SECRET_BYTES = 256 * 1024;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Map<String, Secret> secrets = new HashMap<>();

  AuthMechanisms(List<Secret> secretList) {
    for (Secret s : secretList) {
      secrets.put(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName(), s);
    }
  }

  /** The mechanism a ProxyRoute's {@code auth} block describes, its Secrets read. */
  AuthMechanism fromSpec(String namespace, AuthSpec spec) throws InvalidInputException {
    int set = (spec.basic != null ? 1 : 0) + (spec.external != null ? 1 : 0)
        + (spec.jwt != null ? 1 : 0) + (spec.oidc != null ? 1 : 0);
    if (set != 1) {
      throw new InvalidInputException(
          "needs exactly one of basic, external, jwt or oidc (has " + set + ")");
    }
    try {
      if (spec.basic != null) {
        return basic(namespace, spec.basic.secret, spec.basic.realm, spec.basic.userHeader);
      }
      if (spec.external != null) {
        return external(spec.external);
      }
      if (spec.oidc != null) {
        return oidc(namespace, spec.oidc);
      }
      return jwt(namespace, spec.jwt);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  /** The mechanism an Ingress's {@code portcullis.io/auth-*} annotations describe. */
  AuthMechanism fromAnnotations(String namespace, Map<String, String> annotations)
      throws InvalidInputException {
    String type = annotations.get(AUTH_TYPE);
    String url = annotations.get(AUTH_URL);
    if (type != null && url != null) {
      throw new InvalidInputException(AUTH_TYPE + " and " + AUTH_URL + " exclude each other");
    }
    try {
      if (url != null) {
        AuthSpec.External external = new AuthSpec.External();
        external.url = url.trim();
        String headers = annotations.get(AUTH_RESPONSE_HEADERS);
        external.responseHeaders = headers == null ? null
            : Arrays.stream(headers.split(",")).map(String::trim).filter(h -> !h.isEmpty()).toList();
        external.method = trimmed(annotations.get(AUTH_METHOD));
        external.signIn = trimmed(annotations.get(AUTH_SIGNIN));
        external.signInRedirectParam = trimmed(annotations.get(AUTH_SIGNIN_REDIRECT_PARAM));
        // As ingress-nginx: a cache key turns the cache on, the durations default to its own.
        external.answerCookies = trimmed(annotations.get(AUTH_ANSWER_COOKIES));
        external.cacheKey = trimmed(annotations.get(AUTH_CACHE_KEY));
        Map<Integer, Long> byStatus = external.cacheKey == null ? Map.of()
            : AuthCacheDurations.parse(annotations.getOrDefault(AUTH_CACHE_DURATION,
                AuthCacheDurations.NGINX_DEFAULT));
        if (byStatus.isEmpty()) {
          external.cacheKey = null; // every time zero: nothing is reused
        }
        return external(external, byStatus);
      }
      if (!"basic".equals(type.trim())) {
        throw new InvalidInputException(
            AUTH_TYPE + ": \"" + StatusCollector.bounded(type) + "\" is not supported (basic)");
      }
      String secret = annotations.get(AUTH_SECRET);
      if (secret == null || secret.isBlank()) {
        throw new InvalidInputException(AUTH_TYPE + ": basic needs " + AUTH_SECRET);
      }
      String secretType = annotations.getOrDefault(AUTH_SECRET_TYPE, "auth-file").trim();
      if (secretType.equals("auth-map")) {
        return basicFromMap(namespace, secret.trim(), annotations.get(AUTH_REALM));
      }
      if (!secretType.equals("auth-file")) {
        throw new InvalidInputException(AUTH_SECRET_TYPE + ": \"" + StatusCollector.bounded(secretType)
            + "\" is not auth-file or auth-map");
      }
      return basic(namespace, secret.trim(), annotations.get(AUTH_REALM), null);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(e.getMessage());
    }
  }

  /** ingress-nginx's {@code auth-map}: one key per user, the hash its value. */
  private BasicAuth basicFromMap(String namespace, String secretName, String realm)
      throws InvalidInputException {
    Secret secret = secrets.get(namespace + "/" + secretName);
    if (secret == null) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + namespace + "/" + secretName + " not found");
    }
    java.util.Set<String> users = new java.util.TreeSet<>();
    if (secret.getData() != null) {
      users.addAll(secret.getData().keySet());
    }
    if (secret.getStringData() != null) {
      users.addAll(secret.getStringData().keySet());
    }
    StringBuilder htpasswd = new StringBuilder();
    for (String user : users) {
      htpasswd.append(user).append(':')
          .append(secretText(namespace, secretName, user).trim()).append('\n');
    }
    return users(namespace, secretName, htpasswd.toString(), realm, null);
  }

  private BasicAuth basic(String namespace, String secretName, String realm, String userHeader)
      throws InvalidInputException {
    return users(namespace, secretName, secretText(namespace, secretName, HTPASSWD_KEY), realm,
        userHeader);
  }

  private BasicAuth users(
      String namespace, String secretName, String htpasswd, String realm, String userHeader)
      throws InvalidInputException {
    Map<String, String> users = new LinkedHashMap<>();
    List<String> refused = new ArrayList<>();
    for (String line : htpasswd.split("\r?\n")) {
      String trimmed = line.trim();
      if (trimmed.isEmpty() || trimmed.startsWith("#")) {
        continue;
      }
      int colon = trimmed.indexOf(':');
      if (colon <= 0) {
        throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
            + secretName + ": a line of " + HTPASSWD_KEY + " is not user:hash");
      }
      String user = trimmed.substring(0, colon);
      String hash = trimmed.substring(colon + 1);
      if (BasicAuth.supportedHash(hash)) {
        users.put(user, hash);
      } else {
        refused.add(user + " (" + scheme(hash) + ")");
      }
    }
    if (!refused.isEmpty()) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
          + secretName + ": refused password hashes for " + String.join(", ", refused)
          + "; use bcrypt (htpasswd -B) or SHA-256/512 crypt");
    }
    if (users.isEmpty()) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + namespace + "/" + secretName + ": " + HTPASSWD_KEY + " holds no users");
    }
    return new BasicAuth(realm == null || realm.isBlank() ? DEFAULT_REALM : realm.trim(), users,
        userHeader == null ? DEFAULT_USER_HEADER : userHeader);
  }

  /** The name of a hash scheme we refuse, for the message. */
  private static String scheme(String hash) {
    if (hash.startsWith("$apr1$") || hash.startsWith("$1$")) {
      return "MD5";
    }
    if (hash.startsWith("{SHA}")) {
      return "unsalted SHA-1";
    }
    return hash.startsWith("$") ? "unsupported scheme" : "plain text or DES crypt";
  }

  private static ExternalAuth external(AuthSpec.External e) throws InvalidInputException {
    long cacheMillis = ClusterPolicies.millis(e.cacheDuration, "external.cacheDuration", 0);
    if (e.cacheStatuses == null || e.cacheStatuses.isEmpty()) {
      return external(e, Map.of());
    }
    if (cacheMillis == 0) {
      throw new InvalidInputException("external auth cacheStatuses needs a cacheDuration");
    }
    return external(e, AuthCacheDurations.of(e.cacheStatuses, cacheMillis));
  }

  /** With {@code byStatus} non-empty, answers of those statuses are reused, not cacheDuration's. */
  private static ExternalAuth external(AuthSpec.External e, Map<Integer, Long> byStatus)
      throws InvalidInputException {
    if (e.url == null || !(e.url.startsWith("http://") || e.url.startsWith("https://"))) {
      throw new InvalidInputException("external auth needs an http or https url");
    }
    if (e.method != null && !e.method.matches("[A-Z]{1,32}")) {
      throw new InvalidInputException("external auth method must be an upper-case method name");
    }
    try {
      return new ExternalAuth(e.url,
          e.requestHeaders == null ? DEFAULT_EXTERNAL_HEADERS : e.requestHeaders,
          e.responseHeaders,
          ClusterPolicies.millis(e.timeout, "external.timeout", DEFAULT_EXTERNAL_TIMEOUT_MILLIS),
          Boolean.TRUE.equals(e.failOpen) ? ExternalAuth.OnError.ALLOW : ExternalAuth.OnError.DENY,
          e.maxRequestBodyBytes == null ? 0 : e.maxRequestBodyBytes,
          byStatus.isEmpty() ? ClusterPolicies.millis(e.cacheDuration, "external.cacheDuration", 0) : 0,
          e.method, SignInRedirects.template(e.signIn, e.signInRedirectParam), e.cacheKey, byStatus,
          answerCookies(e.answerCookies));
    } catch (IllegalArgumentException bad) {
      throw new InvalidInputException(bad.getMessage());
    }
  }

  private static ExternalAuth.AnswerCookies answerCookies(String value) throws InvalidInputException {
    return switch (value == null ? "Drop" : value) {
      case "Drop" -> ExternalAuth.AnswerCookies.DROP;
      case "OnSuccess" -> ExternalAuth.AnswerCookies.ON_SUCCESS;
      case "Always" -> ExternalAuth.AnswerCookies.ALWAYS;
      default -> throw new InvalidInputException(
          "external auth answerCookies must be Drop, OnSuccess or Always");
    };
  }

  private static String trimmed(String value) {
    return value == null || value.isBlank() ? null : value.trim();
  }

  private JwtAuth jwt(String namespace, AuthSpec.Jwt j) throws InvalidInputException {
    if ((j.jwksUri == null) == (j.jwksSecret == null)) {
      throw new InvalidInputException("jwt needs exactly one of jwksUri and jwksSecret");
    }
    String jwks = null;
    if (j.jwksSecret != null) {
      jwks = secretText(namespace, j.jwksSecret, JWKS_KEY);
      try {
        JsonNode keys = JSON.readTree(jwks).get("keys");
        if (keys == null || !keys.isArray() || keys.isEmpty()) {
          throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
              + j.jwksSecret + ": " + JWKS_KEY + " holds no \"keys\"");
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
            + j.jwksSecret + ": " + JWKS_KEY + " is not JSON");
      }
    }
    List<JwtAuth.TokenSource> sources = new ArrayList<>();
    if (j.tokenFrom != null) {
      for (AuthSpec.TokenSource t : j.tokenFrom) {
        int set = (t.header != null ? 1 : 0) + (t.cookie != null ? 1 : 0)
            + (t.queryParameter != null ? 1 : 0);
        if (set != 1) {
          throw new InvalidInputException(
              "a token source needs exactly one of header, cookie or queryParameter");
        }
        sources.add(t.header != null ? new JwtAuth.TokenSource(JwtAuth.TokenSource.From.HEADER, t.header)
            : t.cookie != null ? new JwtAuth.TokenSource(JwtAuth.TokenSource.From.COOKIE, t.cookie)
            : new JwtAuth.TokenSource(JwtAuth.TokenSource.From.QUERY, t.queryParameter));
      }
    }
    long skew = ClusterPolicies.millis(j.clockSkew, "jwt.clockSkew", DEFAULT_CLOCK_SKEW_MILLIS);
    return new JwtAuth(j.issuer, j.audiences, j.jwksUri, jwks, sources, j.requiredClaims,
        j.claimHeaders, skew / 1000);
  }

  private OidcAuth oidc(String namespace, AuthSpec.Oidc o) throws InvalidInputException {
    if (o.clientSecret == null || o.clientSecret.name == null || o.clientSecret.key == null) {
      throw new InvalidInputException("oidc.clientSecret needs a name and a key");
    }
    if (o.issuer == null || o.clientId == null) {
      throw new InvalidInputException("oidc needs an issuer and a clientId");
    }
    String clientSecret = secretText(namespace, o.clientSecret.name, o.clientSecret.key).trim();
    List<String> keys = new ArrayList<>();
    if (o.sessionSecret != null) {
      keys.add(sessionKey(namespace, o.sessionSecret, SESSION_KEY, true));
      String previous = sessionKey(namespace, o.sessionSecret, PREVIOUS_SESSION_KEY, false);
      if (previous != null) {
        keys.add(previous);
      }
    } else {
      keys.add(derivedSessionKey(clientSecret, namespace, o.clientId));
    }
    long sessionMillis = ClusterPolicies.millis(o.sessionDuration, "oidc.sessionDuration",
        DEFAULT_SESSION_MILLIS);
    if (sessionMillis < 60_000) {
      throw new InvalidInputException("oidc.sessionDuration must be at least 1m");
    }
    return new OidcAuth(o.issuer, o.clientId, clientSecret, o.scopes,
        o.callbackPath == null ? "/oauth2/callback" : o.callbackPath,
        o.logoutPath == null ? "/oauth2/logout" : o.logoutPath, o.postLogoutRedirectUri, keys,
        o.cookieName == null ? "_portcullis_session" : o.cookieName, sessionMillis / 1000,
        o.allowedUsers, o.allowedGroups, o.groupsClaim, o.claimHeaders, o.idTokenHeader,
        o.accessTokenHeader, Boolean.TRUE.equals(o.trustForwardedHeaders));
  }

  private String sessionKey(String namespace, String secret, String key, boolean required)
      throws InvalidInputException {
    Secret s = secrets.get(namespace + "/" + secret);
    boolean present = s != null && ((s.getData() != null && s.getData().containsKey(key))
        || (s.getStringData() != null && s.getStringData().containsKey(key)));
    if (!required && !present) {
      return null;
    }
    String value = secretText(namespace, secret, key).trim();
    try {
      if (Base64.getDecoder().decode(value).length != 32) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + namespace + "/"
          + secret + ": " + key + " must be 32 random bytes in base64 (openssl rand -base64 32)");
    }
    return value;
  }

  /**
   * A session key for routes that name no session Secret: derived from the client secret (which
   * only the operator, the dataplanes and the provider know), so every dataplane agrees on it and
   * rotating the client secret rotates it.
   */
  static String derivedSessionKey(String clientSecret, String namespace, String clientId) {
    try {
      javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
      mac.init(new javax.crypto.spec.SecretKeySpec(
          clientSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return Base64.getEncoder().encodeToString(mac.doFinal(
          ("portcullis oidc session key v1\0" + namespace + "\0" + clientId)
              .getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The text under {@code key} of Secret {@code namespace/name} (data, or stringData in local mode). */
  private String secretText(String namespace, String name, String key) throws InvalidInputException {
    String full = namespace + "/" + name;
    Secret secret = secrets.get(full);
    if (secret == null) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET, "Secret " + full + " not found");
    }
    String b64 = secret.getData() == null ? null : secret.getData().get(key);
    String text;
    if (b64 != null && !b64.isEmpty()) {
      try {
        text = new String(Base64.getMimeDecoder().decode(b64), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
            "Secret " + full + ": " + key + " is not base64");
      }
    } else {
      text = secret.getStringData() == null ? null : secret.getStringData().get(key);
    }
    if (text == null || text.isBlank()) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + full + " has no key " + key);
    }
    if (text.length() > MAX_SECRET_BYTES) {
      throw new InvalidInputException(Reasons.INVALID_AUTH_SECRET,
          "Secret " + full + ": " + key + " is larger than " + MAX_SECRET_BYTES + " bytes");
    }
    return text;
  }
}
