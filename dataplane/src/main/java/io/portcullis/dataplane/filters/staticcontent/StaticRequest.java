package io.portcullis.dataplane.filters.staticcontent;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.portcullis.dataplane.filter.FilterContext;

/**
 * What a static site reads of a request, copied on the event loop so that the answer can be
 * worked out on another thread.
 *
 * @param method the request method
 * @param path the request path as sent, without the query
 * @param query the query without {@code ?}, or null
 * @param acceptEncoding the {@code Accept-Encoding} values joined, or null
 * @param range the {@code Range} header, or null
 * @param conditions the conditional headers
 */
record StaticRequest(String method, String path, String query, String acceptEncoding,
    String range, Preconditions.Conditions conditions) {

  static StaticRequest of(FilterContext ctx) {
    HttpRequest request = ctx.request();
    HttpHeaders h = request.headers();
    return new StaticRequest(request.method().name(), ctx.head().path(), ctx.head().query(),
        joined(h, HttpHeaderNames.ACCEPT_ENCODING), h.get(HttpHeaderNames.RANGE),
        new Preconditions.Conditions(joined(h, HttpHeaderNames.IF_MATCH),
            joined(h, HttpHeaderNames.IF_NONE_MATCH), h.get(HttpHeaderNames.IF_MODIFIED_SINCE),
            h.get(HttpHeaderNames.IF_UNMODIFIED_SINCE), h.get(HttpHeaderNames.IF_RANGE)));
  }

  private static String joined(HttpHeaders headers, CharSequence name) {
    var all = headers.getAll(name);
    return all.isEmpty() ? null : String.join(",", all);
  }
}
