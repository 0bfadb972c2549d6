package io.portcullis.dataplane.filters.headers;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.snapshot.HeaderRewrite;
import java.util.Map;

/**
 * A route's own header changes: on the request just before it goes upstream (after the proxy's
 * {@code X-Forwarded-*} and {@code X-Request-Id}, which a route may therefore override), and on
 * every response of the route, its own local answers included.
 */
public final class HeaderRewriteFilter implements HttpFilter {
  private final HeaderRewrite request;
  private final HeaderRewrite response;

  public HeaderRewriteFilter(HeaderRewrite request, HeaderRewrite response) {
    this.request = request;
    this.response = response;
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    apply(ctx.request().headers(), request);
    return FilterAction.proceed();
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse out) {
    apply(out.headers(), response);
    return ResponseAction.proceed();
  }

  /** Removes then sets, as {@link HeaderRewrite} specifies. */
  public static void apply(HttpHeaders headers, HeaderRewrite rewrite) {
    if (rewrite.isEmpty()) {
      return;
    }
    for (String name : rewrite.remove()) {
      headers.remove(name);
    }
    for (Map.Entry<String, String> e : rewrite.set().entrySet()) {
      headers.set(e.getKey(), e.getValue());
    }
  }
}
