package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.cookie.Cookie;
import io.netty.handler.codec.http.cookie.ServerCookieDecoder;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.snapshot.filter.JwtAuth.TokenSource;
import java.util.List;

/** Finds a bearer token where a route says to look, in order. */
final class TokenSources {
  static final List<TokenSource> DEFAULT =
      List.of(new TokenSource(TokenSource.From.HEADER, "authorization"));

  private final List<TokenSource> sources;

  TokenSources(List<TokenSource> sources) {
    this.sources = sources.isEmpty() ? DEFAULT : sources;
  }

  /** The first token found, or null. */
  String find(FilterContext ctx) {
    HttpHeaders headers = ctx.request().headers();
    for (TokenSource source : sources) {
      String token = switch (source.from()) {
        case HEADER -> header(headers.get(source.name()));
        case COOKIE -> cookie(headers.getAll(HttpHeaderNames.COOKIE), source.name());
        case QUERY -> query(ctx.head().query(), source.name());
      };
      if (token != null && !token.isEmpty()) {
        return token;
      }
    }
    return null;
  }

  /** A header's value, without a {@code Bearer } scheme when it has one. */
  private static String header(String value) {
    if (value == null) {
      return null;
    }
    value = value.trim();
    if (value.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return value.substring(7).trim();
    }
    // Another scheme in Authorization (Basic ...) is not a token.
    return value.indexOf(' ') >= 0 ? null : value;
  }

  private static String cookie(List<String> headers, String name) {
    for (String header : headers) {
      for (Cookie c : ServerCookieDecoder.LAX.decodeAll(header)) {
        if (c.name().equals(name)) {
          return c.value();
        }
      }
    }
    return null;
  }

  private static String query(String query, String name) {
    if (query == null) {
      return null;
    }
    List<String> values = new QueryStringDecoder(query, false).parameters().get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
