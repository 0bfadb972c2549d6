package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.filter.RequestVariables;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;

/**
 * Expands the nginx variables of {@link RequestVariables} in a template for one request, with
 * nginx's meaning: {@code $host} is the Host without its port, lower case; {@code $request_uri}
 * the URI as received; {@code $escaped_request_uri} (ingress-nginx's) that URI percent-encoded as
 * a query parameter value; {@code $http_x_api_key} the X-Api-Key header; {@code $cookie_NAME} and
 * {@code $arg_NAME} raw values; {@code $remote_user} the user of a Basic Authorization. A missing
 * value is empty, as in nginx. ({@code $uri} is the path as received, not decoded as nginx's.)
 */
final class NginxVariables {
  private NginxVariables() {}

  /** {@code template} with each variable replaced by {@code each} of its value. */
  static String expand(String template, FilterContext ctx, UnaryOperator<String> each) {
    if (template.indexOf('$') < 0) {
      return template;
    }
    Matcher m = RequestVariables.VARIABLE.matcher(template);
    StringBuilder out = new StringBuilder();
    while (m.find()) {
      m.appendReplacement(out, Matcher.quoteReplacement(each.apply(value(m.group(), ctx))));
    }
    m.appendTail(out);
    return out.toString();
  }

  static String value(String variable, FilterContext ctx) {
    RequestHead head = ctx.head();
    String host = head.host() == null ? "" : head.host();
    switch (variable) {
      case "$scheme", "$pass_access_scheme":
        return head.scheme();
      case "$host":
        return withoutPort(host).toLowerCase(Locale.ROOT);
      case "$http_host", "$best_http_host":
        return host;
      case "$request_uri":
        return requestUri(ctx);
      case "$escaped_request_uri":
        return escape(requestUri(ctx));
      case "$uri":
        return head.path();
      case "$args", "$query_string":
        return head.query() == null ? "" : head.query();
      case "$request_method":
        return head.method();
      case "$remote_addr":
        return ctx.clientAddress() == null ? "" : ctx.clientAddress().getHostAddress();
      case "$remote_user":
        return remoteUser(ctx.request().headers().get(HttpHeaderNames.AUTHORIZATION));
      default:
        break;
    }
    if (variable.startsWith("$http_")) {
      String name = variable.substring(6).replace('_', '-').toLowerCase(Locale.ROOT);
      List<String> values = ctx.request().headers().getAll(name);
      return String.join(name.equals("cookie") ? "; " : ", ", values);
    }
    if (variable.startsWith("$cookie_")) {
      return cookie(ctx.request().headers().getAll(HttpHeaderNames.COOKIE), variable.substring(8));
    }
    if (variable.startsWith("$arg_")) {
      return argument(head.query(), variable.substring(5));
    }
    return ""; // the snapshot admits known variables only
  }

  private static String requestUri(FilterContext ctx) {
    String uri = ctx.request().uri();
    if (uri.startsWith("/")) {
      return uri;
    }
    RequestHead head = ctx.head(); // absolute-form or HTTP/2: rebuilt from the parts
    return head.query() == null ? head.path() : head.path() + "?" + head.query();
  }

  private static String withoutPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end < 0 ? host : host.substring(0, end + 1);
    }
    int colon = host.indexOf(':');
    return colon < 0 ? host : host.substring(0, colon);
  }

  private static String remoteUser(String authorization) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return "";
    }
    try {
      String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
          StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      return colon < 0 ? "" : pair.substring(0, colon);
    } catch (IllegalArgumentException notBase64) {
      return "";
    }
  }

  private static String cookie(List<String> headers, String name) {
    for (String header : headers) {
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
        if (c.name().equals(name)) {
          return c.value();
        }
      }
    }
    return "";
  }

  /** nginx's {@code $arg_NAME}: the first argument of that name (any case), not decoded. */
  private static String argument(String query, String name) {
    if (query == null) {
      return "";
    }
    for (String pair : query.split("&")) {
      int eq = pair.indexOf('=');
      String key = eq < 0 ? pair : pair.substring(0, eq);
      if (key.equalsIgnoreCase(name)) {
        return eq < 0 ? "" : pair.substring(eq + 1);
      }
    }
    return "";
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
