package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An authorization service decides (as nginx's {@code auth_request}, Envoy's HTTP {@code
 * ext_authz}): the proxy asks it with the request's method, chosen headers, the original URI in
 * {@code X-Original-URI} (and optionally the start of the body); a 2xx lets the request through
 * with chosen response headers copied onto it, anything else is the client's answer as it is.
 *
 * @param url the service's URL (http or https)
 * @param requestHeaders request headers copied into the authorization request, lower case
 * @param responseHeaders headers of a 2xx answer copied onto the upstream request (a value the
 *     client sent in them is removed first), lower case
 * @param timeoutMillis how long the service may take
 * @param onError what happens when the service is down or too slow
 * @param maxRequestBodyBytes how much of the request body the service sees; 0 for none
 * @param cacheMillis how long an allowing answer is reused for the same method, URI and chosen
 *     headers; 0 for no cache
 * @param method the authorization request's method; null for the request's own (ingress-nginx
 *     asks with GET, as nginx's {@code auth_request} does, unless auth-method says otherwise)
 * @param signIn where a 401 from the service sends the client instead (302), or null to pass the
 *     401 on; may hold the {@link RequestVariables} (ingress-nginx's auth-signin), expanded per
 *     request
 * @param cacheKey what identifies a reusable answer: a template of {@link RequestVariables}
 *     (ingress-nginx's auth-cache-key, such as {@code $http_authorization}); null for the method,
 *     URI, host, client address and the headers sent. Needs cacheMillis or cacheByStatus
 * @param cacheByStatus answers of exactly these statuses (2xx, 401, 403) are reused this many
 *     milliseconds (ingress-nginx's auth-cache-duration); empty for cacheMillis, which reuses
 *     every 2xx. At most one of the two
 * @param answerCookies what becomes of the Set-Cookie headers of an allowing answer (and of a
 *     401 that sends the client to sign in)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record ExternalAuth(
    String url,
    List<String> requestHeaders,
    List<String> responseHeaders,
    long timeoutMillis,
    OnError onError,
    int maxRequestBodyBytes,
    long cacheMillis,
    String method,
    String signIn,
    String cacheKey,
    Map<Integer, Long> cacheByStatus,
    AnswerCookies answerCookies)
    implements AuthMechanism {
  public static final int MAX_BODY_BYTES = 1024 * 1024;
  public static final long MAX_CACHE_MILLIS = 3_600_000;
  private static final java.util.regex.Pattern METHOD =
      java.util.regex.Pattern.compile("[!#$%&'*+.^_`|~0-9A-Z-]{1,32}");

  /**
   * The Set-Cookie headers of the service's answer: dropped; added to the client's response when
   * its status is one nginx's {@code add_header} serves (200, 201, 204, 206, 301, 302, 303, 304,
   * 307, 308), as ingress-nginx does for auth-url (an auth service refreshing its session, like
   * oauth2-proxy); or added whatever the status (ingress-nginx's auth-always-set-cookie).
   */
  public enum AnswerCookies { DROP, ON_SUCCESS, ALWAYS }

  /** When the service cannot answer: refuse with 503, or let the request through. */
  public enum OnError { DENY, ALLOW }

  public ExternalAuth {
    Objects.requireNonNull(url, "external auth needs a url");
    URI uri = URI.create(url);
    if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme()))
        || uri.getHost() == null) {
      throw new IllegalArgumentException("external auth url must be an http or https URL: " + url);
    }
    requestHeaders = AuthMechanism.headerNames(requestHeaders, "external auth requestHeaders");
    responseHeaders = AuthMechanism.headerNames(responseHeaders, "external auth responseHeaders");
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException("external auth timeout must be positive");
    }
    onError = onError == null ? OnError.DENY : onError;
    answerCookies = answerCookies == null ? AnswerCookies.DROP : answerCookies;
    if (maxRequestBodyBytes < 0 || maxRequestBodyBytes > MAX_BODY_BYTES) {
      throw new IllegalArgumentException(
          "external auth maxRequestBodyBytes must be 0 to " + MAX_BODY_BYTES);
    }
    if (cacheMillis < 0 || cacheMillis > MAX_CACHE_MILLIS) {
      throw new IllegalArgumentException("external auth cache must be 0 to 1h");
    }
    if (method != null && !METHOD.matcher(method).matches()) {
      throw new IllegalArgumentException("external auth method must be an upper-case token: " + method);
    }
    if (signIn != null) {
      String unknown = RequestVariables.unknown(signIn);
      if (unknown != null) {
        throw new IllegalArgumentException("external auth sign-in URL: unknown variable "
            + unknown + " (known: " + RequestVariables.described() + ")");
      }
      String probe = RequestVariables.VARIABLE.matcher(signIn).replaceAll("x");
      URI target = URI.create(probe);
      if (!(target.isAbsolute() && ("http".equals(target.getScheme()) || "https".equals(target.getScheme())))
          && !probe.startsWith("/")) {
        throw new IllegalArgumentException(
            "external auth sign-in must be an http(s) URL or an absolute path: " + signIn);
      }
    }
    cacheByStatus = cacheByStatus == null ? Map.of() : Map.copyOf(cacheByStatus);
    cacheByStatus.forEach((status, millis) -> {
      if (!((status >= 200 && status <= 299) || status == 401 || status == 403)) {
        throw new IllegalArgumentException(
            "external auth caches answers of 2xx, 401 and 403 only, not " + status);
      }
      if (millis == null || millis <= 0 || millis > MAX_CACHE_MILLIS) {
        throw new IllegalArgumentException("external auth cache of " + status + " must be 1ms to 1h");
      }
    });
    if (cacheMillis > 0 && !cacheByStatus.isEmpty()) {
      throw new IllegalArgumentException("external auth: cacheMillis or cacheByStatus, not both");
    }
    if (cacheKey != null) {
      if (cacheKey.isEmpty() || cacheKey.length() > 512) {
        throw new IllegalArgumentException("external auth cache key must be 1 to 512 characters");
      }
      String unknown = RequestVariables.unknown(cacheKey);
      if (unknown != null) {
        throw new IllegalArgumentException("external auth cache key: unknown variable " + unknown
            + " (known: " + RequestVariables.described() + ")");
      }
      if (cacheMillis == 0 && cacheByStatus.isEmpty()) {
        throw new IllegalArgumentException("external auth cache key without a cache duration");
      }
    }
  }

  /** Whether any answer is reused. */
  public boolean caches() {
    return cacheMillis > 0 || !cacheByStatus.isEmpty();
  }

  /** How long an answer of {@code status} is reused; 0 for not at all. */
  public long cacheMillisFor(int status) {
    if (!cacheByStatus.isEmpty()) {
      return cacheByStatus.getOrDefault(status, 0L);
    }
    return status >= 200 && status <= 299 ? cacheMillis : 0;
  }

  /** Without a method of its own (the request's) and without a sign-in redirect. */
  public ExternalAuth(String url, List<String> requestHeaders, List<String> responseHeaders,
      long timeoutMillis, OnError onError, int maxRequestBodyBytes, long cacheMillis) {
    this(url, requestHeaders, responseHeaders, timeoutMillis, onError, maxRequestBodyBytes,
        cacheMillis, null, null, null, Map.of(), AnswerCookies.DROP);
  }

  @Override
  public String name() {
    return "external";
  }
}
