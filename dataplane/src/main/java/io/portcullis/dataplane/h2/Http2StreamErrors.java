package io.portcullis.dataplane.h2;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2StreamChannel;

/**
 * First handler of every HTTP/2 stream: turns a stream error into RST_STREAM with the code RFC
 * 9113 names for it. Netty's frame codec does not reset a stream whose child channel is open when
 * the client breaks the protocol on it (DATA after END_STREAM, a bad content-length, a
 * WINDOW_UPDATE of 0, a PRIORITY of the wrong size, ...): it hands the error to the stream's
 * pipeline, and a plain close would say CANCEL, or nothing at all while a response is pending.
 */
@Sharable
public final class Http2StreamErrors extends ChannelInboundHandlerAdapter {
  public static final Http2StreamErrors INSTANCE = new Http2StreamErrors();

  private Http2StreamErrors() {}

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    Http2Error error = errorOf(cause);
    if (error == null) {
      ctx.fireExceptionCaught(cause);
      return;
    }
    reset(ctx, error);
  }

  /** Sends RST_STREAM with {@code error} (the stream channel closes with it). */
  static void reset(ChannelHandlerContext ctx, Http2Error error) {
    Channel ch = ctx.channel();
    if (ch.isActive()) {
      ctx.writeAndFlush(new DefaultHttp2ResetFrame(error)).addListener(f -> ch.close());
    } else if (ch instanceof Http2StreamChannel stream && ch.parent().isActive()) {
      // The error came in the same read as the HEADERS that opened the stream: its channel is
      // not active yet (and the multiplexer closes it right after), so the reset goes through the
      // connection's frame codec.
      ch.parent().writeAndFlush(new DefaultHttp2ResetFrame(error).stream(stream.stream()));
    }
  }

  private static Http2Error errorOf(Throwable cause) {
    if (cause instanceof Http2FrameStreamException e) {
      return e.error();
    }
    // Also an HTTP/2 error wrapped by whoever could not throw it as it is (Http2StreamIdGuard).
    Http2Exception embedded = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    return embedded == null ? null : embedded.error();
  }
}
