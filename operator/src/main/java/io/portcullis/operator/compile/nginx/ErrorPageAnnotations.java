package io.portcullis.operator.compile.nginx;

/**
 * custom-http-errors with default-backend onto our error pages. ingress-nginx answers a listed
 * status with whatever its error location gets from the error backend, status included ({@code
 * error_page CODE = @custom_...}), so the status comes from the error backend here too.
 */
final class ErrorPageAnnotations {
  private ErrorPageAnnotations() {}

  static void read(Reading r) {
    String codes = r.take("custom-http-errors");
    String backend = r.take("default-backend");
    if (codes != null) {
      r.ours("portcullis.io/error-pages", codes);
      r.ours("portcullis.io/error-pages-status", "error-backend");
      if (backend != null) {
        r.ours("portcullis.io/error-pages-service", backend.trim());
      }
    } else if (backend != null) {
      r.refused("default-backend", "without custom-http-errors it serves requests while the"
          + " Service has no ready endpoints, which needs a fallback cluster in the snapshot"
          + " (endpoint changes do not recompile routes); such requests get 503");
    }
  }
}
