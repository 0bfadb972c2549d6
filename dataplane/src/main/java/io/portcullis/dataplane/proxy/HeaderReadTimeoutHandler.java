package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.admin.ProxyMetrics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the time from the first byte of a request until its head is decoded (slowloris). Sits in
 * front of the HTTP codec so it sees raw bytes; a connection that sends nothing at all is the idle
 * timeout's business, not this one's. On expiry it writes a preformatted 408 and closes.
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
  private ScheduledFuture<?> timer;

  HeaderReadTimeoutHandler(long timeoutNanos, ProxyMetrics metrics) {
    this.timeoutNanos = timeoutNanos;
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (awaitingHead && timer == null && msg instanceof ByteBuf buf && buf.isReadable()) {
      timer = ctx.executor().schedule(() -> expire(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt == ProxyEvent.REQUEST_HEAD_RECEIVED) {
      awaitingHead = false;
      cancel();
    } else if (evt == ProxyEvent.EXCHANGE_COMPLETE) {
      awaitingHead = true;
    }
    ctx.fireUserEventTriggered(evt);
  }

  private void expire(ChannelHandlerContext ctx) {
    timer = null;
    if (!awaitingHead || !ctx.channel().isActive()) {
      return;
    }
    metrics.requestCompleted("none", 408);
    // Written from in front of the codec: raw bytes, the encoder never sees them.
    ctx.writeAndFlush(ctx.alloc().buffer(RESPONSE_408.length).writeBytes(RESPONSE_408))
        .addListener(ChannelFutureListener.CLOSE);
  }

  private void cancel() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    cancel();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancel();
    ctx.fireChannelInactive();
  }

}
