package io.portcullis.dataplane.admin;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;

/**
 * First in a client connection's pipeline: counts the bytes read and written as they cross the
 * socket. One instance serves every connection.
 */
@Sharable
public final class ByteCountingHandler extends ChannelDuplexHandler {
  private final TrafficMetrics metrics;

  public ByteCountingHandler(TrafficMetrics metrics) {
    this.metrics = metrics;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      metrics.received(buf.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      // Counted when handed to the socket; a connection that breaks may not deliver all of it.
      metrics.sent(buf.readableBytes());
    }
    ctx.write(msg, promise);
  }
}
