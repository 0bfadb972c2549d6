package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.filter.RequestVariables;
import java.util.List;

/**
 * auth-type basic with auth-secret(-type) and auth-realm; auth-url with auth-response-headers,
 * auth-method (default GET: nginx's {@code auth_request} asks with GET) and auth-signin (with
 * auth-signin-redirect-param), auth-cache-key with auth-cache-duration.
 */
final class AuthAnnotations {
  private static final List<String> METHODS =
      List.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE");

  private AuthAnnotations() {}

  static void read(Reading r) {
    String type = r.take("auth-type");
    String secret = r.take("auth-secret");
    String secretType = r.take("auth-secret-type");
    String realm = r.take("auth-realm");
    String url = r.take("auth-url");
    String responseHeaders = r.take("auth-response-headers");
    String method = r.take("auth-method");
    String signIn = r.take("auth-signin");
    String redirectParam = r.take("auth-signin-redirect-param");
    String cacheKey = r.take("auth-cache-key");
    String cacheDuration = r.take("auth-cache-duration");
    String alwaysSetCookie = r.take("auth-always-set-cookie");
    if (type != null) {
      if (!type.equals("basic")) {
        r.invalid("auth-type", type, "only basic is supported; no authentication applies");
      } else if (secret == null || secret.isBlank()) {
        r.invalid("auth-type", type, "basic needs auth-secret");
      } else {
        String name = secret;
        int slash = secret.indexOf('/');
        if (slash >= 0) {
          // The namespace is checked by the compiler, which knows the Ingress's.
          r.ours("portcullis.io/auth-secret-namespace", secret.substring(0, slash));
          name = secret.substring(slash + 1);
        }
        r.ours("portcullis.io/auth-type", "basic");
        r.ours("portcullis.io/auth-secret", name);
        if (secretType != null) {
          if (!secretType.equals("auth-file") && !secretType.equals("auth-map")) {
            r.invalid("auth-secret-type", secretType, "expected auth-file or auth-map; auth-file applies");
          } else {
            r.ours("portcullis.io/auth-secret-type", secretType);
          }
        }
        if (realm != null) {
          r.ours("portcullis.io/auth-realm", realm);
        }
      }
    }
    if (url != null) {
      if (type != null) {
        r.invalid("auth-url", url, "auth-type and auth-url exclude each other; basic applies");
        return;
      }
      r.ours("portcullis.io/auth-url", url);
      if (responseHeaders != null) {
        r.ours("portcullis.io/auth-response-headers", responseHeaders);
      }
      // ingress-nginx: add_header Set-Cookie $auth_cookie (with "always" when asked).
      boolean always = "true".equalsIgnoreCase(alwaysSetCookie == null ? "" : alwaysSetCookie.trim());
      if (alwaysSetCookie != null && !always && !"false".equalsIgnoreCase(alwaysSetCookie.trim())) {
        r.invalid("auth-always-set-cookie", alwaysSetCookie, "expected true or false; false applies");
      }
      r.ours("portcullis.io/auth-answer-cookies", always ? "Always" : "OnSuccess");
      external(r, method, signIn, redirectParam, cacheKey, cacheDuration);
    }
  }

  private static void external(Reading r, String method, String signIn, String redirectParam,
      String cacheKey, String cacheDuration) {
    // nginx's auth_request subrequest is a GET; ingress-nginx admits these methods only.
    String m = method == null ? "GET" : method.trim();
    if (!METHODS.contains(m)) {
      r.invalid("auth-method", method, "not one of " + String.join(", ", METHODS) + "; GET applies");
      m = "GET";
    }
    r.ours("portcullis.io/auth-method", m);
    if (signIn != null) {
      String unknown = RequestVariables.unknown(signIn.trim());
      if (unknown != null) {
        r.invalid("auth-signin", signIn, "variable " + unknown + " is not known here (known: "
            + RequestVariables.described() + "); a 401 passes as it is");
      } else if (!signIn.trim().matches("(https?://|/).+")) {
        r.invalid("auth-signin", signIn, "not an http(s) URL; a 401 passes as it is");
      } else {
        r.ours("portcullis.io/auth-signin", signIn.trim());
        if (redirectParam != null) {
          if (redirectParam.trim().matches("[A-Za-z0-9_.~-]{1,64}")) {
            r.ours("portcullis.io/auth-signin-redirect-param", redirectParam.trim());
          } else {
            r.invalid("auth-signin-redirect-param", redirectParam, "not a plain name; rd applies");
          }
        }
      }
    }
    if (cacheKey != null && !cacheKey.isBlank()) {
      String unknown = RequestVariables.unknown(cacheKey.trim());
      if (unknown != null) {
        r.invalid("auth-cache-key", cacheKey, "variable " + unknown + " is not known here (known: "
            + RequestVariables.described() + "); nothing is cached");
        return;
      }
      r.ours("portcullis.io/auth-cache-key", cacheKey.trim());
      if (cacheDuration != null && !cacheDuration.isBlank()) {
        // Checked by the compiler: a bad one fails the location closed, as ingress-nginx denies it.
        r.ours("portcullis.io/auth-cache-duration", cacheDuration.trim());
      }
    }
  }
}
