package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.snapshot.filter.OidcAuth;
import java.util.Locale;

/**
 * The scheme and host the browser used, which can differ from what the proxy saw when a load
 * balancer in front terminates TLS (then only trusted X-Forwarded-* headers tell). The provider
 * must be given the callback URL the browser can reach, and a session cookie sent over https must
 * be Secure.
 */
final class OidcRequestOrigin {
  private final OidcAuth config;

  OidcRequestOrigin(OidcAuth config) {
    this.config = config;
  }

  /** The absolute callback URL the provider sends the browser back to. */
  String redirectUri(FilterContext ctx) {
    return scheme(ctx) + "://" + host(ctx) + config.callbackPath();
  }

  /** The attributes every cookie of ours carries, after its value and Max-Age. */
  String cookieAttributes(FilterContext ctx) {
    return "; Path=/; HttpOnly; SameSite=Lax" + ("https".equals(scheme(ctx)) ? "; Secure" : "");
  }

  private String scheme(FilterContext ctx) {
    if (config.trustForwardedHeaders()) {
      String proto = firstValue(ctx.request().headers().get("x-forwarded-proto"));
      if ("https".equalsIgnoreCase(proto) || "http".equalsIgnoreCase(proto)) {
        return proto.toLowerCase(Locale.ROOT);
      }
    }
    return ctx.head().scheme();
  }

  private String host(FilterContext ctx) {
    if (config.trustForwardedHeaders()) {
      String host = firstValue(ctx.request().headers().get("x-forwarded-host"));
      if (host != null && !host.isEmpty()) {
        return host;
      }
    }
    String host = ctx.head().host();
    return host == null ? ctx.request().headers().get(HttpHeaderNames.HOST) : host;
  }

  /** The first proxy's value: the one nearest the browser. */
  private static String firstValue(String header) {
    if (header == null) {
      return null;
    }
    int comma = header.indexOf(',');
    return (comma < 0 ? header : header.substring(0, comma)).trim();
  }
}
