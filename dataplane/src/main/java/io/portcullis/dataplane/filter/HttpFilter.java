package io.portcullis.dataplane.filter;

import io.netty.handler.codec.http.HttpResponse;

/**
 * One traffic feature on the request path (CORS, IP rules, rate limits, authentication, WAF,
 * cache, compression, ...). An instance is built once per route and snapshot from the route's
 * config and shared by every request on every event loop, so it keeps no per-request fields:
 * per-request state goes into the context's attributes ({@link FilterContext#attr}).
 *
 * <p>The chain calls {@link #onRequest} in chain order once the route is known, then the terminal
 * step (the upstream exchange, or a local answer), then {@link #onResponse} in reverse order with
 * the response head, exactly as an HTTP server's filters nest. Every method runs on the
 * connection's event loop and must never block it: a filter that waits for I/O returns {@link
 * FilterAction#pause}.
 */
public interface HttpFilter {

  /**
   * The request head arrived and its route is known. The head's headers may be changed here; they
   * go upstream as they are when the chain reaches its end.
   */
  default FilterAction onRequest(FilterContext ctx) {
    return FilterAction.proceed();
  }

  /**
   * The response head is on its way to the client: from the backend, or answered locally by the
   * terminal step or by a filter later in the chain. Its status and headers may be changed here.
   * Called only if {@link #onRequest} of this filter returned {@link FilterAction#proceed} (or a
   * pause that ended in it).
   */
  default ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    return ResponseAction.proceed();
  }
}
