package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;

/**
 * Relays raw bytes to a peer channel after a protocol switch (WebSocket and other upgrades), with
 * backpressure: stops reading while the peer cannot take more. Either side closing closes both.
 */
final class TunnelHandler extends ChannelInboundHandlerAdapter {
  private final Channel peer;
  private final Runnable onInactive;

  /**
   * @param peer where this channel's bytes go
   * @param onInactive run once when this channel closes (connection metrics)
   */
  TunnelHandler(Channel peer, Runnable onInactive) {
    this.peer = peer;
    this.onInactive = onInactive;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf buf)) {
      // e.g. the empty LastHttpContent that follows a 101 out of the codec being removed
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!peer.isActive()) {
      buf.release();
      ctx.close();
      return;
    }
    peer.write(buf, peer.voidPromise());
    if (!peer.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // We became writable again: let the peer, whose bytes we carry, read on.
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    onInactive.run();
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
