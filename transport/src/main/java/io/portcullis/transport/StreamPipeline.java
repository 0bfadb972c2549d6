package io.portcullis.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.SslHandler;
import java.util.function.Consumer;

/**
 * Sets up a snapshot stream connection, the same way at both ends: TLS (unless h2c), the HTTP/2
 * frame codec, {@link Keepalive} with its idle detector at the socket end, and a multiplexer that
 * hands each HTTP/2 stream to its own child channel. Handler names: {@code idle}, {@code tls},
 * {@code http2}, {@code keepalive}, {@code streams}.
 */
public final class StreamPipeline {
  private StreamPipeline() {}

  /**
   * Adds {@code handler} as the connection's TLS layer and calls {@code onHandshakeFailure} (on the
   * event loop) with the cause when its handshake fails.
   */
  public static void tls(Channel ch, SslHandler handler, Consumer<Throwable> onHandshakeFailure) {
    handler.handshakeFuture().addListener(f -> {
      if (!f.isSuccess()) {
        onHandshakeFailure.accept(f.cause());
      }
    });
    ch.pipeline().addLast("tls", handler);
  }

  /**
   * The server end: every stream a peer opens gets a child channel set up by {@code
   * streamInitializer}.
   */
  public static void http2Server(
      Channel ch, Http2Settings settings, long keepaliveMillis, ChannelHandler streamInitializer) {
    http2(ch, Http2FrameCodecBuilder.forServer().initialSettings(settings).build(), keepaliveMillis,
        streamInitializer);
  }

  /**
   * The client end: it opens its streams itself (with {@code Http2StreamChannelBootstrap}); the
   * server opens none.
   */
  public static void http2Client(Channel ch, Http2Settings settings, long keepaliveMillis) {
    // The multiplexer insists on a handler for inbound streams; the server never opens one.
    http2(ch, Http2FrameCodecBuilder.forClient().initialSettings(settings).build(), keepaliveMillis,
        new ChannelInboundHandlerAdapter());
  }

  /**
   * Raises the receive window of the whole connection to {@code windowBytes}. SETTINGS only raise
   * the per-stream window; the connection's own (64 KiB by the spec) needs a WINDOW_UPDATE, or a
   * multi-megabyte snapshot crawls in 64 KiB steps. Call once the connection is active.
   */
  public static void widenConnectionWindow(Channel ch, int windowBytes) {
    Http2Connection connection = ch.pipeline().get(Http2FrameCodec.class).connection();
    try {
      connection.local().flowController().incrementWindowSize(connection.connectionStream(),
          windowBytes - Http2CodecUtil.DEFAULT_WINDOW_SIZE);
    } catch (Http2Exception e) {
      throw new IllegalStateException("cannot widen the HTTP/2 connection window", e);
    }
  }

  private static void http2(
      Channel ch, Http2FrameCodec codec, long keepaliveMillis, ChannelHandler inboundStreams) {
    ch.pipeline()
        .addFirst("idle", Keepalive.idleStateHandler(keepaliveMillis))
        .addLast("http2", codec)
        .addLast("keepalive", new Keepalive())
        .addLast("streams", new Http2MultiplexHandler(inboundStreams));
  }
}
