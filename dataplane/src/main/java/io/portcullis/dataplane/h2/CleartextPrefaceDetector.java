package io.portcullis.dataplane.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * First handler on the plain listener: tells an h2c client with prior knowledge (RFC 9113 3.3),
 * whose first bytes are the connection preface {@code PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n}, from an
 * HTTP/1.x client, then gets out of the way. Usually the first byte or two decide, so an HTTP/1.1
 * request waits for nothing.
 *
 * <p>The HTTP/1.1 handlers behind it are in place from the start (they count the connection, close
 * it when idle or on drain); for HTTP/2 {@code toHttp2} replaces them. The held bytes are passed on
 * either way.
 */
public final class CleartextPrefaceDetector extends ChannelInboundHandlerAdapter {
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private final Consumer<ChannelPipeline> toHttp2;
  private ByteBuf held;
  private boolean decided;

  /** @param toHttp2 replaces the HTTP/1.1 handlers behind this one with the HTTP/2 ones */
  public CleartextPrefaceDetector(Consumer<ChannelPipeline> toHttp2) {
    this.toHttp2 = toHttp2;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (decided || !(msg instanceof ByteBuf buf)) {
      ctx.fireChannelRead(msg);
      return;
    }
    held = held == null ? buf : ByteToMessageDecoder.MERGE_CUMULATOR.cumulate(ctx.alloc(), held, buf);
    int n = Math.min(held.readableBytes(), PREFACE.length);
    int start = held.readerIndex();
    for (int i = 0; i < n; i++) {
      if (held.getByte(start + i) != PREFACE[i]) {
        http1(ctx);
        return;
      }
    }
    if (n == PREFACE.length) {
      decided = true;
      toHttp2.accept(ctx.pipeline());
      pass(ctx);
    }
    // else: a prefix of the preface so far; wait for more.
  }

  private void http1(ChannelHandlerContext ctx) {
    decided = true;
    pass(ctx);
  }

  private void pass(ChannelHandlerContext ctx) {
    ByteBuf bytes = held;
    held = null;
    ctx.pipeline().remove(this);
    ctx.fireChannelRead(bytes);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    release();
    ctx.fireChannelInactive();
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    release();
  }

  private void release() {
    if (held != null) {
      held.release();
      held = null;
    }
  }
}
