package io.portcullis.dataplane.filters.auth;

import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.http.RequestHead;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Expands a sign-in URL's variables for one request, with nginx's meaning ({@code $scheme},
 * {@code $host}, {@code $http_host}, {@code $request_uri}, and ingress-nginx's {@code
 * $escaped_request_uri}: the request URI percent-encoded as a query parameter value, every byte
 * but the RFC 3986 unreserved ones).
 */
final class SignInUrl {
  private static final Pattern VARIABLE = Pattern.compile("\\$[A-Za-z_][A-Za-z0-9_]*");

  private SignInUrl() {}

  static String expand(String template, FilterContext ctx) {
    if (template.indexOf('$') < 0) {
      return template;
    }
    RequestHead head = ctx.head();
    String host = head.host() == null ? "" : head.host();
    String requestUri = ctx.request().uri().startsWith("/") ? ctx.request().uri()
        : head.query() == null ? head.path() : head.path() + "?" + head.query();
    Matcher m = VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      String value = switch (m.group()) {
        case "$scheme", "$pass_access_scheme" -> head.scheme();
        case "$host" -> withoutPort(host).toLowerCase(Locale.ROOT);
        case "$http_host", "$best_http_host" -> host;
        case "$request_uri" -> requestUri;
        case "$escaped_request_uri" -> escape(requestUri);
        default -> m.group(); // the snapshot admits known variables only
      };
      m.appendReplacement(out, Matcher.quoteReplacement(AuthAnswers.headerValue(value)));
    }
    m.appendTail(out);
    return out.toString();
  }

  private static String withoutPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  /** Percent-encodes every byte but {@code A-Z a-z 0-9 - . _ ~}. */
  static String escape(String text) {
    StringBuilder sb = new StringBuilder(text.length() + 16);
    for (byte b : text.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xff;
      if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
          || c == '-' || c == '.' || c == '_' || c == '~') {
        sb.append((char) c);
      } else {
        sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
            .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
      }
    }
    return sb.toString();
  }
}
