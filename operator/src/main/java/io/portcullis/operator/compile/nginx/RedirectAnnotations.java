package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.RouteAction;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** ssl-redirect, force-ssl-redirect, permanent-redirect(-code), temporal-redirect(-code). */
final class RedirectAnnotations {
  /** scheme://host[:port][/path]; no user info, no fragment. */
  private static final Pattern URL = Pattern.compile(
      "(https?)://([A-Za-z0-9.-]+)(?::(\\d{1,5}))?(/[\\x21-\\x7e]*)?");

  private RedirectAnnotations() {}

  static void read(Reading r) {
    String ssl = r.take("ssl-redirect");
    String force = r.take("force-ssl-redirect");
    try {
      boolean redirect = ssl == null || Reading.bool(ssl);
      if (force != null && Reading.bool(force)) {
        redirect = true;
        // Also for hosts without spec.tls: TLS may end in front of the controller.
        r.ours("portcullis.io/force-ssl-redirect", "true");
      }
      if (!redirect) {
        r.ours("portcullis.io/ssl-redirect", "false");
      }
    } catch (IllegalArgumentException e) {
      r.invalid(ssl != null && !ssl.matches("(?i)true|false") ? "ssl-redirect" : "force-ssl-redirect",
          ssl != null && !ssl.matches("(?i)true|false") ? ssl : force, e.getMessage());
    }
    String permanent = r.take("permanent-redirect");
    String permanentCode = r.take("permanent-redirect-code");
    String temporal = r.take("temporal-redirect");
    String temporalCode = r.take("temporal-redirect-code");
    // ingress-nginx checks the temporal redirect first (internal/ingress/annotations/redirect),
    // and takes a temporal code up to 307 only: 308 there falls back to 302.
    if (temporal != null) {
      r.redirect = redirect(r, "temporal-redirect", temporal,
          code(r, "temporal-redirect-code", temporalCode, 302, List.of(301, 302, 303, 307)));
    } else if (permanent != null) {
      r.redirect = redirect(r, "permanent-redirect", permanent,
          code(r, "permanent-redirect-code", permanentCode, 301, List.of(301, 302, 303, 307, 308)));
    }
  }

  private static int code(Reading r, String name, String value, int fallback, List<Integer> allowed) {
    if (value == null) {
      return fallback;
    }
    try {
      int code = Reading.integer(value, 300, 399);
      if (!allowed.contains(code)) {
        throw new IllegalArgumentException("expected one of " + allowed);
      }
      return code;
    } catch (IllegalArgumentException e) {
      r.invalid(name, value, e.getMessage() + "; " + fallback + " applies");
      return fallback;
    }
  }

  private static RouteAction.Redirect redirect(Reading r, String name, String url, int code) {
    Matcher m = URL.matcher(url);
    if (!m.matches()) {
      r.invalid(name, url, "expected an absolute http or https URL");
      return null;
    }
    int port = m.group(3) == null ? 0 : Integer.parseInt(m.group(3));
    if (port > 65535) {
      r.invalid(name, url, "port out of range");
      return null;
    }
    String path = m.group(4) == null ? "/" : m.group(4);
    int query = path.indexOf('?');
    if (query >= 0) {
      r.invalid(name, url, "a query string in the target is not supported (the request's is kept)");
      return null;
    }
    return new RouteAction.Redirect(m.group(1), m.group(2).toLowerCase(java.util.Locale.ROOT), port, path, code);
  }
}
