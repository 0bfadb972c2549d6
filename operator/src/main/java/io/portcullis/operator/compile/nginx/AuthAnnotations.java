package io.portcullis.operator.compile.nginx;

/** auth-type basic with auth-secret(-type) and auth-realm; auth-url with auth-response-headers. */
final class AuthAnnotations {
  private AuthAnnotations() {}

  static void read(Reading r) {
    String type = r.take("auth-type");
    String secret = r.take("auth-secret");
    String secretType = r.take("auth-secret-type");
    String realm = r.take("auth-realm");
    String url = r.take("auth-url");
    String responseHeaders = r.take("auth-response-headers");
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
    }
  }
}
