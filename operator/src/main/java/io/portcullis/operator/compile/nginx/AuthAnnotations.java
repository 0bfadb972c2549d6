package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.filter.ExternalAuth;

/**
 * auth-type basic with auth-secret(-type) and auth-realm; auth-url with auth-response-headers,
 * auth-method (default GET: nginx's {@code auth_request} asks with GET) and auth-signin (with
 * auth-signin-redirect-param).
 */
final class AuthAnnotations {
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
      String m = method == null ? "GET" : method.trim().toUpperCase(java.util.Locale.ROOT);
      if (!m.matches("[A-Z]{1,32}")) {
        r.invalid("auth-method", method, "not a method name; GET applies");
        m = "GET";
      }
      r.ours("portcullis.io/auth-method", m);
      if (signIn != null) {
        String unknown = unknownVariable(signIn.trim());
        if (unknown != null) {
          r.invalid("auth-signin", signIn, "variable " + unknown + " is not known here (known: "
              + String.join(", ", ExternalAuth.SIGN_IN_VARIABLES) + "); a 401 passes as it is");
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
    }
  }

  private static String unknownVariable(String url) {
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$[A-Za-z_][A-Za-z0-9_]*").matcher(url);
    while (m.find()) {
      if (!ExternalAuth.SIGN_IN_VARIABLES.contains(m.group())) {
        return m.group();
      }
    }
    return null;
  }
}
