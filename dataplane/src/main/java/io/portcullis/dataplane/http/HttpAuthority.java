package io.portcullis.dataplane.http;

/**
 * Checks a {@code Host} value or an {@code :authority} (RFC 9110 §7.2, RFC 3986 §3.2) before the
 * router sees it: {@code host [ ":" port ]} with no userinfo, where host is a bracketed IP literal
 * or a non-empty reg-name / IPv4 address, and port is 1 to 5 digits up to 65535. Anything else
 * (a path, a query, a space, an {@code @}) could make the router and a backend disagree about
 * which host was asked for.
 */
public final class HttpAuthority {
  private HttpAuthority() {}

  public static boolean valid(String authority) {
    if (authority == null || authority.isEmpty()) {
      return false;
    }
    int hostEnd;
    if (authority.charAt(0) == '[') {
      int close = authority.indexOf(']');
      if (close < 2 || !ipLiteral(authority, 1, close)) {
        return false;
      }
      hostEnd = close + 1;
    } else {
      int colon = authority.indexOf(':');
      hostEnd = colon < 0 ? authority.length() : colon;
      if (hostEnd == 0 || !regName(authority, 0, hostEnd)) {
        return false;
      }
    }
    if (hostEnd == authority.length()) {
      return true;
    }
    if (authority.charAt(hostEnd) != ':') {
      return false;
    }
    return port(authority, hostEnd + 1);
  }

  /** The rest of {@code authority} from {@code from} is a port: 1 to 5 digits, at most 65535. */
  private static boolean port(String authority, int from) {
    int length = authority.length() - from;
    if (length == 0 || length > 5) {
      return false;
    }
    int value = 0;
    for (int i = from; i < authority.length(); i++) {
      char c = authority.charAt(i);
      if (c < '0' || c > '9') {
        return false;
      }
      value = value * 10 + (c - '0');
    }
    return value <= 65535;
  }

  /** IPv6 (hex digits, ':', '.' for an embedded IPv4) or IPvFuture ("v" hex "." ...). */
  private static boolean ipLiteral(String s, int from, int to) {
    boolean colon = false;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c == ':') {
        colon = true;
      } else if (!(Character.digit(c, 16) >= 0 || c == '.')) {
        return false;
      }
    }
    return colon;
  }

  /** unreserved / pct-encoded / sub-delims (RFC 3986 §3.2.2). */
  private static boolean regName(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || "-._~!$&'()*+,;=".indexOf(c) >= 0) {
        continue;
      }
      if (c == '%' && i + 2 < to
          && Character.digit(s.charAt(i + 1), 16) >= 0
          && Character.digit(s.charAt(i + 2), 16) >= 0) {
        i += 2;
        continue;
      }
      return false;
    }
    return true;
  }
}
