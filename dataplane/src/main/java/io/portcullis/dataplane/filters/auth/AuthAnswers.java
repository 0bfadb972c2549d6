package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.portcullis.dataplane.filter.LocalResponse;

/** The proxy's own answers to requests that do not authenticate (or are signing in). */
final class AuthAnswers {
  private AuthAnswers() {}

  /** 401 with the given challenge. */
  static LocalResponse unauthorized(String challenge) {
    LocalResponse r = LocalResponse.text(401, "unauthorized\n");
    r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    return r;
  }

  /** 403, with an optional challenge (RFC 6750's insufficient_scope). */
  static LocalResponse forbidden(String challenge) {
    LocalResponse r = LocalResponse.text(403, "forbidden\n");
    if (challenge != null) {
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, challenge);
    }
    return r;
  }

  /** 503: authentication could not be checked right now. */
  static LocalResponse unavailable(String why) {
    LocalResponse r = LocalResponse.text(503, "authentication unavailable: " + why + "\n");
    r.headers().set(HttpHeaderNames.RETRY_AFTER, "1");
    return r;
  }

  /** 302 to {@code location}, never cached: sign-in redirects carry one-time state. */
  static LocalResponse redirect(String location) {
    LocalResponse r = LocalResponse.empty(302);
    r.headers().set(HttpHeaderNames.LOCATION, location);
    r.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    return r;
  }

  /** A quoted-string for a challenge parameter (RFC 9110 5.6.4). */
  static String quoted(String value) {
    return '"' + headerValue(value).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }

  /**
   * {@code value} made safe for a header: control characters (a line break could start a header
   * of its own) and non-ASCII become {@code ?}. Claims and service answers are not ours to trust.
   */
  static String headerValue(String value) {
    StringBuilder sb = null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' || c >= 0x7f) {
        if (sb == null) {
          sb = new StringBuilder(value);
        }
        sb.setCharAt(i, '?');
      }
    }
    return sb == null ? value : sb.toString();
  }
}
