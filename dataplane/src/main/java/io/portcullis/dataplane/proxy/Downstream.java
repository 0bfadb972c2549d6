package io.portcullis.dataplane.proxy;

import io.netty.channel.ChannelHandlerContext;

/** What an exchange needs of the client connection it runs on ({@link ProxyHandler}). */
interface Downstream {

  /** The proxy handler's context on the client channel. */
  ChannelHandlerContext ctx();

  /** The connection drains: it closes after the response in flight. */
  boolean draining();

  /**
   * Inside a read batch: a {@code channelReadComplete} follows, which flushes upstream writes, so
   * writes made now need no flush of their own.
   */
  boolean inReadBatch();

  /** Whether {@code exchange} is still the one the connection serves. */
  boolean isCurrent(Exchange exchange);

  /** The exchange is complete: read the next request (or close). */
  void finished(Exchange exchange);

  /** The exchange turned the connection into a tunnel: it serves no more HTTP requests. */
  void tunnelled(Exchange exchange);

  /** The per-connection timer of exchanges' deadlines. */
  ExchangeDeadlines deadlines();
}
