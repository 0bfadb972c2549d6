package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.http.HttpAuthority;

import java.util.Locale;

/**
 * The four request-target forms of RFC 9112 §3.2, told apart before routing. Only origin-form is
 * routed as is; absolute-form is mapped to origin-form with its authority as the Host (§3.2.2:
 * the target's authority wins over the Host header); asterisk-form only for OPTIONS, and
 * authority-form only for CONNECT, neither of which a reverse proxy serves. A fragment, a
 * control character or a space never belongs in a target (RFC 9112 §3.2, RFC 3986 §4.1).
 */
sealed interface RequestTarget {
  /** {@code /path?query}: routed as it is. */
  record Origin(String uri) implements RequestTarget {}

  /** {@code http://authority/path?query}: routed as {@code originForm} for {@code authority}. */
  record Absolute(String authority, String originForm) implements RequestTarget {}

  /** {@code *} on OPTIONS: a question about the server, not a resource. */
  record Asterisk() implements RequestTarget {}

  /** {@code host:port}, as CONNECT sends it. */
  record AuthorityForm(String authority) implements RequestTarget {}

  /** Anything else: 400. */
  record Invalid() implements RequestTarget {}

  static RequestTarget classify(String uri) {
    if (uri.isEmpty()) {
      return new Invalid();
    }
    for (int i = 0; i < uri.length(); i++) {
      char c = uri.charAt(i);
      if (c <= ' ' || c == 0x7f || c == '#') {
        return new Invalid();
      }
    }
    if (uri.charAt(0) == '/') {
      return new Origin(uri);
    }
    if (uri.equals("*")) {
      return new Asterisk();
    }
    int scheme = uri.indexOf("://");
    if (scheme > 0) {
      String name = uri.substring(0, scheme).toLowerCase(Locale.ROOT);
      if (!name.equals("http") && !name.equals("https")) {
        return new Invalid();
      }
      int start = scheme + 3;
      int end = start;
      while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?') {
        end++;
      }
      String authority = uri.substring(start, end);
      if (!HttpAuthority.valid(authority)) {
        return new Invalid(); // userinfo, an empty host, a bad port
      }
      String rest = uri.substring(end);
      return new Absolute(authority, rest.isEmpty() || rest.charAt(0) == '?' ? "/" + rest : rest);
    }
    return HttpAuthority.valid(uri) ? new AuthorityForm(uri) : new Invalid();
  }
}
