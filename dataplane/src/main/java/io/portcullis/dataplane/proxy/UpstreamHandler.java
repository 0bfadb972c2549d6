package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.upstream.UpstreamKey;

/**
 * The last handler of a backend connection. While a request uses the connection it hands every
 * event to that request's {@link Listener}; while the connection sits in the pool it only watches
 * for the backend closing it (or talking out of turn, which makes it unusable).
 */
final class UpstreamHandler extends ChannelInboundHandlerAdapter {

  /** What one request on this connection hears. Called on the connection's event loop. */
  interface Listener {
    void onResponse(HttpObject msg);

    void onResponseReadComplete();

    void onUpstreamWritabilityChanged();

    void onUpstreamClosed();

    /** No byte moved on the connection for the upstream idle timeout. */
    default void onUpstreamIdle() {}
  }

  /** Where the connection idles between requests; null for an HTTP/2 stream (never pooled). */
  private final UpstreamPool pool;
  private final UpstreamKey key;
  private Listener listener;
  /** An HTTP/2 backend said it did not process this stream (see {@link #refused()}). */
  private boolean refused;

  UpstreamHandler(UpstreamPool pool, UpstreamKey key) {
    this.pool = pool;
    this.key = key;
  }

  UpstreamKey key() {
    return key;
  }

  /**
   * The connection's handler, or null. It is the last handler of every backend pipeline
   * ({@link UpstreamConnector}), so this is one step, not a walk of the pipeline by type: that
   * walk ran once per request and was about 1% of the h2-tls profile.
   */
  static UpstreamHandler of(Channel ch) {
    ChannelHandler last = ch.pipeline().last();
    return last instanceof UpstreamHandler h ? h : ch.pipeline().get(UpstreamHandler.class);
  }

  private int uses;

  void attach(Listener l) {
    this.listener = l;
    uses++;
  }

  /** True when this connection already served a request before the current one (pooled). */
  boolean reused() {
    return uses > 1;
  }

  /**
   * True when an HTTP/2 backend refused this stream without processing it: it reset it with
   * {@code REFUSED_STREAM}, or sent a GOAWAY whose last stream id is below it. Such a request is
   * as safe to send again as one whose connection never opened.
   */
  boolean refused() {
    return refused;
  }

  void detach() {
    this.listener = null;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (listener == null || !(msg instanceof HttpObject obj)) {
      ReferenceCountUtil.release(msg);
      ctx.close();
      return;
    }
    listener.onResponse(obj);
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.onResponseReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (listener != null) {
      listener.onUpstreamWritabilityChanged();
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Listener l = listener;
    listener = null;
    if (l != null) {
      l.onUpstreamClosed();
    } else if (pool != null) {
      pool.remove(key, ctx.channel());
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (listener == null) {
        ctx.close();
      } else {
        listener.onUpstreamIdle();
      }
      return;
    }
    // Http2MultiplexHandler hands a stream's RST_STREAM, and a GOAWAY that leaves the stream out,
    // to the stream's pipeline as events; the stream closes right after.
    if (evt instanceof Http2GoAwayFrame
        || (evt instanceof Http2ResetFrame reset
            && reset.errorCode() == Http2Error.REFUSED_STREAM.code())) {
      refused = true;
    }
    ReferenceCountUtil.release(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // Connection reset, write to a closed socket, ...: channelInactive reports it to the request.
    ctx.close();
  }
}
