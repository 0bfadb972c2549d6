package io.portcullis.dataplane.h2;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.http.HpackNeverIndexed;
import io.portcullis.dataplane.http.IdleTimeout;

/**
 * Builds the connection-level pipeline of an HTTP/2 client connection:
 * {@code idle -> h2-flush -> h2-header-timeout -> h2-codec -> h2-multiplex -> h2-connection}. Every stream becomes a
 * child channel set up by the caller's stream initializer.
 *
 * <p>Each stream's response is flushed by its own proxy handler, mostly while reading a backend
 * rather than this connection; the flush consolidation turns the flushes of one event-loop turn
 * into one write (and, over TLS, fewer records) instead of one per stream.
 */
public final class Http2Connections {
  /**
   * Fire this user event on a client connection to send it GOAWAY: the client opens no new stream
   * there, the streams in flight finish (for up to {@link Http2Limits#gracefulShutdown()}),
   * then the connection closes. HTTP/1.1 connections ignore it.
   */
  public static final Object GO_AWAY = new Object() {
    @Override
    public String toString() {
      return "GO_AWAY";
    }
  };

  /** Fired by {@link Http2HeaderReadTimeout} for the guard: a request head took too long. */
  static final Object HEADER_TIMEOUT = new Object() {
    @Override
    public String toString() {
      return "HEADER_TIMEOUT";
    }
  };

  public static final String IDLE = "h2-idle";
  public static final String FLUSH = "h2-flush";
  public static final String HEADER_TIMEOUT_HANDLER = "h2-header-timeout";
  public static final String CODEC = "h2-codec";
  public static final String MULTIPLEX = "h2-multiplex";
  public static final String CONNECTION = "h2-connection";

  /**
   * Consecutive DATA frames without payload or end of stream allowed before the connection is
   * closed: there is no legitimate use for them (Netty's default, stated here on purpose).
   */
  static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;

  /** CONTINUATION frames under 8 KiB allowed in a row (CVE-2024-27316 style floods). */
  static final int MAX_SMALL_CONTINUATION_FRAMES = 16;

  /** Control frames (SETTINGS and PING acks, RST_STREAM) queued for a client that does not read. */
  static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;

  private Http2Connections() {}

  /**
   * Appends the HTTP/2 handlers to {@code pipeline} of an active connection.
   *
   * @param streamInitializer added to each stream's child channel (a sharable initializer)
   */
  public static void configure(
      ChannelPipeline pipeline,
      Http2Limits settings,
      ProxyMetrics metrics,
      ChannelHandler streamInitializer) {
    Http2FrameCodec codec = codec(settings);
    pipeline.addLast(
        IDLE,
        new IdleTimeout(settings.idleTimeout().toNanos()));
    pipeline.addLast(
        FLUSH,
        new FlushConsolidationHandler(
            FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
    pipeline.addLast(
        HEADER_TIMEOUT_HANDLER, new Http2HeaderReadTimeout(settings.headerReadTimeout().toNanos()));
    pipeline.addLast(CODEC, codec);
    pipeline.addLast(MULTIPLEX, new Http2MultiplexHandler(streamInitializer));
    pipeline.addLast(CONNECTION, new Http2ConnectionGuard(codec, settings, metrics));
  }

  /** The server frame codec with Portcullis's SETTINGS and flood bounds. */
  static Http2FrameCodec codec(Http2Limits settings) {
    int windowSeconds = (int) Http2Limits.FLOOD_WINDOW.toSeconds();
    Http2Settings initial =
        Http2Settings.defaultSettings()
            .maxConcurrentStreams(settings.maxConcurrentStreams())
            .initialWindowSize(settings.initialStreamWindow())
            // The same budget as an HTTP/1.1 request's header block; more gets 431.
            .maxHeaderListSize(settings.maxHeaderListSize());
    Http2StreamIdGuard streamIds = new Http2StreamIdGuard();
    Http2FrameCodec codec = new UniformFlowCodecBuilder()
        .initialSettings(initial)
        .validateHeaders(true)
        .gracefulShutdownTimeoutMillis(settings.gracefulShutdown().toMillis())
        .decoderEnforceMaxRstFramesPerWindow(settings.maxResetsPerWindow(), windowSeconds)
        // Resets we would send because of a client's bad frames ("MadeYouReset").
        .encoderEnforceMaxRstFramesPerWindow(settings.maxResetsPerWindow(), windowSeconds)
        .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES)
        .decoderEnforceMaxSmallContinuationFrames(MAX_SMALL_CONTINUATION_FRAMES)
        .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
        .frameLogger(streamIds)
        // Per-response ids never enter the table (and would evict the fields that repeat).
        .headerSensitivityDetector(HpackNeverIndexed.INSTANCE)
        .build();
    streamIds.attach(codec.connection());
    return codec;
  }
}
