package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits in front of the HTTP/1.1 decoder and holds the client's byte stream to RFC 9112's framing
 * with {@link Http1RequestFraming}. The bytes up to the first one that breaks the rules go on to
 * the decoder; the rest are dropped and {@link #VIOLATION} tells {@link RequestValidationHandler},
 * which answers 400 and closes the connection. Once the scanner steps aside (a protocol switch, a
 * request the validation refuses anyway) this handler only passes bytes through.
 */
final class Http1FramingGuard extends ChannelInboundHandlerAdapter {
  /** The user event fired when the framing broke. */
  static final Object VIOLATION = new Object() {
    @Override
    public String toString() {
      return "HTTP/1.1 framing violation";
    }
  };

  private final Http1RequestFraming framing;
  private boolean broken;

  Http1FramingGuard(int maxHeadBytes) {
    this.framing = new Http1RequestFraming(maxHeadBytes);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (broken) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!(msg instanceof ByteBuf in) || framing.opaque()) {
      ctx.fireChannelRead(msg);
      return;
    }
    int bad = framing.scan(in);
    if (bad == Http1RequestFraming.OK) {
      ctx.fireChannelRead(in);
      return;
    }
    broken = true;
    if (bad > 0) {
      ctx.fireChannelRead(in.retainedSlice(in.readerIndex(), bad));
    }
    in.release();
    ctx.fireUserEventTriggered(VIOLATION);
  }
}
