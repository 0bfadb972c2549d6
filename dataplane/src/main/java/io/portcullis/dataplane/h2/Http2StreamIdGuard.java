package io.portcullis.dataplane.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2ConnectionAdapter;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameLogger;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.logging.LogLevel;

/**
 * Turns a HEADERS frame on a stream id the client has left behind into the error RFC 9113 names,
 * where Netty only resets the stream (it forgets closed streams, so to it a closed stream and a
 * skipped lower id both look "unknown"):
 *
 * <ul>
 *   <li>a stream the client ended already (half-closed remote): the stream error {@code
 *       STREAM_CLOSED}, before the header block is judged as trailers (§5.1);
 *   <li>a stream that was open and is closed (both sides ended it, or the client reset it):
 *       {@code STREAM_CLOSED} (§5.1, "closed");
 *   <li>an id lower than one already opened that was never used: {@code PROTOCOL_ERROR}
 *       (§5.1.1);
 *   <li>a stream this side reset is left to Netty (a stream error): frames the client sent before
 *       it saw our {@code RST_STREAM} must be ignored, not punished (§5.1).
 * </ul>
 *
 * <p>Netty's frame logger is the one hook that sees each decoded frame before the connection's
 * decoder acts on it, so this guard is one (it still logs frames at TRACE when that is enabled for
 * this class). It remembers the fate of the last {@link #WINDOW} client stream ids in two bits
 * each (256 bytes per connection); an older id is taken as closed.
 */
final class Http2StreamIdGuard extends Http2FrameLogger {
  /** Client stream ids remembered (odd ids only, so twice this many id values). */
  static final int WINDOW = 1024;

  private Http2Connection connection;
  /** Bit {@code (id >>> 1) % WINDOW}: the stream was opened. */
  private final long[] opened = new long[WINDOW / 64];
  /** Same index: this side reset the stream. */
  private final long[] resetHere = new long[WINDOW / 64];
  /** The highest client stream id marked so far (slots of ids above it are stale). */
  private int highestMarked = -1;

  Http2StreamIdGuard() {
    super(LogLevel.TRACE, Http2StreamIdGuard.class);
  }

  /** Watches {@code connection} (the codec's, once it is built). */
  void attach(Http2Connection connection) {
    this.connection = connection;
    connection.addListener(new Http2ConnectionAdapter() {
      @Override
      public void onStreamRemoved(Http2Stream stream) {
        if (stream.isResetSent() && isRemembered(stream.id())) {
          set(resetHere, stream.id());
        }
      }
    });
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId,
      Http2Headers headers, int padding, boolean endStream) {
    check(direction, streamId);
    super.logHeaders(direction, ctx, streamId, headers, padding, endStream);
  }

  @Override
  public void logHeaders(Direction direction, ChannelHandlerContext ctx, int streamId,
      Http2Headers headers, int streamDependency, short weight, boolean exclusive, int padding,
      boolean endStream) {
    check(direction, streamId);
    super.logHeaders(direction, ctx, streamId, headers, streamDependency, weight, exclusive,
        padding, endStream);
  }

  private void check(Direction direction, int streamId) {
    if (direction != Direction.INBOUND || connection == null || connection.goAwaySent()) {
      return;
    }
    Http2Connection.Endpoint<?> client = connection.remote();
    if (!client.isValidStreamId(streamId)) {
      return; // a server-initiated id: Netty refuses it
    }
    Http2Stream stream = connection.stream(streamId);
    if (stream != null) {
      if (stream.state() == Http2Stream.State.HALF_CLOSED_REMOTE) {
        // The client ended the stream already: nothing but WINDOW_UPDATE, PRIORITY and
        // RST_STREAM may follow (§5.1, "half-closed (remote)").
        throw new IllegalStateException("HEADERS after END_STREAM",
            Http2Exception.streamError(streamId, Http2Error.STREAM_CLOSED,
                "HEADERS on stream %d after its END_STREAM", streamId));
      }
      return; // an open stream: trailers
    }
    if (streamId > client.lastStreamCreated()) {
      markOpened(streamId); // the decoder opens it next
      return;
    }
    if (isRemembered(streamId) && get(resetHere, streamId)) {
      return;
    }
    boolean wasOpen = !isRemembered(streamId) || get(opened, streamId);
    Http2Exception error = wasOpen
        ? Http2Exception.connectionError(
            Http2Error.STREAM_CLOSED, "HEADERS on closed stream %d", streamId)
        : Http2Exception.connectionError(
            Http2Error.PROTOCOL_ERROR,
            "stream id %d is lower than %d, already opened", streamId, client.lastStreamCreated());
    // The frame logger may not throw checked exceptions; the connection handler finds the
    // HTTP/2 exception in the cause chain and ends the connection with its code.
    throw new IllegalStateException(error.getMessage(), error);
  }

  private boolean isRemembered(int streamId) {
    return streamId > highestMarked - 2 * WINDOW;
  }

  private void markOpened(int streamId) {
    // Ids skipped since the last one reuse slots of ids that left the window: clear them.
    int from = Math.max(highestMarked + 2, streamId - 2 * (WINDOW - 1));
    for (int id = from; id < streamId; id += 2) {
      clear(opened, id);
      clear(resetHere, id);
    }
    clear(resetHere, streamId);
    set(opened, streamId);
    highestMarked = streamId;
  }

  private static int slot(int streamId) {
    return (streamId >>> 1) % WINDOW;
  }

  private static boolean get(long[] bits, int streamId) {
    int i = slot(streamId);
    return (bits[i >>> 6] & (1L << i)) != 0;
  }

  private static void set(long[] bits, int streamId) {
    int i = slot(streamId);
    bits[i >>> 6] |= 1L << i;
  }

  private static void clear(long[] bits, int streamId) {
    int i = slot(streamId);
    bits[i >>> 6] &= ~(1L << i);
  }
}
