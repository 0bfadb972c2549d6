package io.portcullis.dataplane.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.admin.ProxyMetrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last handler of an HTTP/2 connection (the streams have their own channels). It counts the
 * connection, widens the connection's receive window, consumes the connection-level frames the
 * multiplexer passes on, and decides when the connection ends:
 *
 * <ul>
 *   <li>more SETTINGS and PING frames than allowed per window: {@code GOAWAY ENHANCE_YOUR_CALM}
 *       and close (Netty bounds resets, empty DATA frames and queued control frames itself, see
 *       {@link Http2Connections#codec});
 *   <li>idle with no stream open: GOAWAY and close;
 *   <li>a request's header block not finished within the header-read timeout ({@link
 *       Http2HeaderReadTimeout}): {@code GOAWAY ENHANCE_YOUR_CALM} and close; the block cannot be
 *       abandoned alone, because HPACK state is shared by the whole connection;
 *   <li>{@link Http2Connections#GO_AWAY}: GOAWAY, let the open streams finish, close.
 * </ul>
 */
final class Http2ConnectionGuard extends ChannelInboundHandlerAdapter {
  private static final Logger log = LoggerFactory.getLogger(Http2ConnectionGuard.class);

  private final Http2FrameCodec codec;
  private final ProxyMetrics metrics;
  private final int maxControlFrames;
  private final long windowNanos;
  private final int connectionWindowIncrement;
  private boolean counted;
  /** A GOAWAY went out (or is going): count the connection's end once. */
  private boolean closing;
  private long windowStart = System.nanoTime();
  private int controlFrames;

  Http2ConnectionGuard(Http2FrameCodec codec, Http2Limits settings, ProxyMetrics metrics) {
    this.codec = codec;
    this.metrics = metrics;
    this.maxControlFrames = settings.maxControlFramesPerWindow();
    this.windowNanos = Http2Limits.FLOOD_WINDOW.toNanos();
    this.connectionWindowIncrement =
        settings.connectionWindow() - Http2CodecUtil.DEFAULT_WINDOW_SIZE;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // Added after the TLS handshake or the h2c preface: the connection is active already.
    if (ctx.channel().isActive()) {
      start(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    start(ctx);
    ctx.fireChannelActive();
  }

  private void start(ChannelHandlerContext ctx) {
    if (counted) {
      return;
    }
    counted = true;
    metrics.connectionOpened();
    if (connectionWindowIncrement > 0) {
      // A window update without a stream widens the connection window (65,535 by protocol).
      ctx.writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindowIncrement))
          .addListener(f -> {
            if (!f.isSuccess()) {
              log.debug("connection window update failed: {}", f.cause().toString());
            }
          });
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (counted) {
      counted = false;
      metrics.connectionClosed();
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if ((msg instanceof Http2PingFrame ping && !ping.ack()) || msg instanceof Http2SettingsFrame) {
        countControlFrame(ctx, msg instanceof Http2PingFrame ? "PING" : "SETTINGS");
      }
    } finally {
      // Connection-level frames end here (GOAWAY from the client holds a buffer).
      ReferenceCountUtil.release(msg);
    }
  }

  private void countControlFrame(ChannelHandlerContext ctx, String kind) {
    long now = System.nanoTime();
    if (now - windowStart >= windowNanos) {
      windowStart = now;
      controlFrames = 0;
    }
    if (++controlFrames > maxControlFrames) {
      log.debug("HTTP/2 client {} sent more than {} SETTINGS/PING frames in {}; closing",
          ctx.channel().remoteAddress(), maxControlFrames, Http2Limits.FLOOD_WINDOW);
      controlFrames = Integer.MIN_VALUE; // once is enough
      // Counted when the codec reports the error back (exceptionCaught), like its own bounds.
      // Through the codec's own error path: GOAWAY with the error, then a hard close.
      codec.onError(
          ctx.pipeline().context(codec),
          false,
          Http2Exception.connectionError(
              Http2Error.ENHANCE_YOUR_CALM, "too many %s frames", kind));
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (codec.connection().numActiveStreams() == 0 && !closing) {
        closing = true;
        metrics.http2GoAway("idle");
        ctx.channel().close(); // the codec sends GOAWAY first
      }
      return;
    }
    if (evt == Http2Connections.HEADER_TIMEOUT) {
      if (!closing) {
        closing = true;
        metrics.http2GoAway("header_timeout");
        log.debug("HTTP/2 client {} did not finish a request head in time; closing",
            ctx.channel().remoteAddress());
        codec.onError(
            ctx.pipeline().context(codec),
            false,
            Http2Exception.connectionError(
                Http2Error.ENHANCE_YOUR_CALM, "request header block not completed in time"));
      }
      return;
    }
    if (evt == Http2Connections.GO_AWAY) {
      // The codec's close is graceful: GOAWAY(NO_ERROR), then it waits for the open streams.
      if (!closing) {
        closing = true;
        metrics.http2GoAway("drain");
        ctx.channel().close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("HTTP/2 connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    Http2Exception http2 = Http2CodecUtil.getEmbeddedHttp2Exception(cause);
    if (http2 == null) {
      ctx.channel().close();
      return;
    }
    if (!(http2 instanceof Http2Exception.StreamException) && !closing) {
      closing = true;
      metrics.http2GoAway(
          http2.error() == Http2Error.ENHANCE_YOUR_CALM ? "flood" : "protocol_error");
    }
    // else the codec reports a protocol error it is handling already: a GOAWAY with that error,
    // then the close. Closing here first would send GOAWAY(NO_ERROR) ahead of it.
  }
}
