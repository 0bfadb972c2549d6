package io.portcullis.dataplane.filter;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.AttributeMap;
import io.portcullis.dataplane.http.ConnectionTls;
import io.portcullis.dataplane.http.RequestHead;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What a filter may see and use of one exchange. Valid on the connection's event loop for the
 * life of the exchange. Per-request state of a filter lives in the attributes (keys are
 * {@link io.netty.util.AttributeKey}s, one per filter kind).
 */
public interface FilterContext extends AttributeMap {

  /**
   * The request head as received (HTTP/2 requests are presented in HTTP/1.1 form). Its headers
   * may be changed by request phases; they go upstream as they are at the end of the chain.
   */
  HttpRequest request();

  /** What routing looked at: scheme, Host, path (without query), query, method. */
  RequestHead head();

  /** The client's address: the TCP peer, or what trusted proxies in front said it is. */
  InetAddress clientAddress();

  /** What the connection's TLS handshake established; null over plain HTTP. */
  ConnectionTls tls();

  /** The matched route's name, or {@code none} when no route matched (host-wide filters only). */
  String routeName();

  /** The connection's event loop: every phase runs here, and timers belong here. */
  EventLoop eventLoop();

  /** The connection's buffer allocator (pooled, direct). */
  ByteBufAllocator alloc();

  /**
   * Reads the request body up to {@code maxBytes} before anything goes upstream, for a filter
   * that must inspect it; completes on the event loop. Return {@code FilterAction.pause(...)} on
   * it. The body still goes upstream afterwards, whole and unchanged.
   */
  CompletionStage<BufferedBody> bufferRequestBody(int maxBytes);

  /**
   * Calls {@code watcher} with every request body part that arrives from now on, until the body
   * ends or the watcher stops the exchange (see {@link RequestBodyWatcher#onPart}). One watcher
   * per exchange: a second replaces the first.
   */
  default void watchRequestBody(RequestBodyWatcher watcher) {
    throw new UnsupportedOperationException("this exchange cannot watch its request body");
  }

  /**
   * Runs {@code task} once on the event loop when the exchange ends, however it ends: answered in
   * full, broken off by either side, or handed over to a tunnel (a protocol upgrade). For state
   * held for the exchange's lifetime (a count of requests in progress).
   */
  default void onExchangeEnd(Runnable task) {
    throw new UnsupportedOperationException("this exchange cannot report its end");
  }

  /**
   * Sends a GET of the filter's own to this request's upstream target (the route's path rewrite
   * applied) with {@code headers}, to the route's cluster: one try on one endpoint, no filters, no
   * retries, bounded by the proxy's response timeout. For work that outlives the exchange, such as
   * refreshing a cached response in the background: the answer may come after the client has
   * been answered. Completes on the event loop with the whole answer, or exceptionally when the
   * route does not forward, nothing could be reached, or the body exceeds {@code maxResponseBytes}.
   */
  default CompletionStage<SubrequestClient.SubResponse> fetchFromUpstream(
      HttpHeaders headers, int maxResponseBytes) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this exchange cannot send requests of its own"));
  }

  /**
   * Sends a GET of the filter's own for {@code pathAndQuery} with {@code headers} to {@code
   * cluster}, a cluster of the snapshot other than the route's (an error backend): one try on one
   * endpoint, no filters, no retries, bounded by the proxy's response timeout. Completes on the
   * event loop with the whole answer, or exceptionally when the cluster is unknown, nothing could
   * be reached, or the body exceeds {@code maxResponseBytes}.
   */
  default CompletionStage<SubrequestClient.SubResponse> fetchFromCluster(
      String cluster, String pathAndQuery, HttpHeaders headers, int maxResponseBytes) {
    return CompletableFuture.failedFuture(
        new UnsupportedOperationException("this exchange cannot send requests of its own"));
  }
}
