package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.http.LazyDeadline;
import java.nio.charset.StandardCharsets;

/**
 * Bounds the time from the first byte of a request until its head is decoded (slowloris). Sits in
 * front of the HTTP codec so it sees raw bytes; a connection that sends nothing at all is the idle
 * timeout's business, not this one's. On expiry it writes a preformatted 408 and closes.
 *
 * <p>Arming and disarming happen once per request, so they only move a {@link LazyDeadline}.
 */
final class HeaderReadTimeoutHandler extends ChannelInboundHandlerAdapter {
  private static final byte[] RESPONSE_408 =
      ("HTTP/1.1 408 Request Timeout\r\n"
              + "content-type: text/plain; charset=utf-8\r\n"
              + "content-length: 16\r\n"
              + "connection: close\r\n\r\n"
              + "request timeout\n")
          .getBytes(StandardCharsets.US_ASCII);

  private final long timeoutNanos;
  private final ProxyMetrics metrics;
  private boolean awaitingHead = true;
  private LazyDeadline deadline;

  HeaderReadTimeoutHandler(long timeoutNanos, ProxyMetrics metrics) {
    this.timeoutNanos = timeoutNanos;
    this.metrics = metrics;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = new LazyDeadline(ctx.executor(), () -> expire(ctx));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (awaitingHead && !deadline.armed() && msg instanceof ByteBuf buf && buf.isReadable()) {
      deadline.arm(timeoutNanos);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ProxyEvent.REQUEST_HEAD_RECEIVED) {
      awaitingHead = false;
      deadline.disarm();
    } else if (evt == ProxyEvent.EXCHANGE_COMPLETE) {
      awaitingHead = true;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void expire(ChannelHandlerContext ctx) {
    if (!awaitingHead || !ctx.channel().isActive()) {
      return;
    }
    metrics.requestCompleted("none", 408);
    // Written from in front of the codec: raw bytes, the encoder never sees them.
    ctx.writeAndFlush(ctx.alloc().buffer(RESPONSE_408.length).writeBytes(RESPONSE_408))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    deadline.cancel();
    ctx.fireChannelInactive();
  }
}
