package io.portcullis.dataplane.filters.limits;

import io.netty.handler.codec.http.HttpUtil;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.snapshot.filter.BodyLimit;

/**
 * A route's request body limit (nginx's {@code client_max_body_size}). A declared
 * {@code Content-Length} over the limit is answered 413 at once, so the backend sees nothing of
 * the request; a body of unknown length (chunked, or HTTP/2 without {@code content-length}) is
 * counted as it streams, and the part that crosses the limit stops the exchange: 413 while no
 * response has started, else the response is broken off. A declared length within the limit needs
 * no counting: the codecs hold the body to it.
 */
public final class BodyLimitFilter implements HttpFilter {
  private final long maxBytes;

  public BodyLimitFilter(BodyLimit config) {
    this.maxBytes = config.maxBytes();
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    if (maxBytes == 0) {
      return FilterAction.proceed();
    }
    long declared = HttpUtil.getContentLength(ctx.request(), -1L);
    if (declared > maxBytes) {
      return FilterAction.respond(tooLarge());
    }
    if (declared < 0) {
      ctx.watchRequestBody(total -> total > maxBytes ? tooLarge() : null);
    }
    return FilterAction.proceed();
  }

  private static LocalResponse tooLarge() {
    return LocalResponse.text(413, "request body too large\n");
  }
}
