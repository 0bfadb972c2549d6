package io.portcullis.dataplane.h2;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.portcullis.dataplane.http.LazyDeadline;

/**
 * The HTTP/2 header-read timeout (slowloris over HTTP/2): bounds how long a client may take to
 * finish a request's header block once it started sending it. Netty's frame reader waits for a
 * whole frame and for every CONTINUATION up to {@code END_HEADERS} before it reports anything, and
 * each trickled byte resets the connection's idle timer, so without this a client holds a
 * connection (and, mid-block, every other stream on it) indefinitely with a byte every minute.
 *
 * <p>Sits in front of the frame codec and only reads the 9-byte frame headers of the raw bytes (the
 * payloads are skipped, nothing is copied). The clock runs while the client is in the middle of
 * the connection preface, of any frame header, of a HEADERS or CONTINUATION frame, or between a
 * HEADERS frame without {@code END_HEADERS} and the CONTINUATION that ends the block. A request
 * body that trickles is the exchange's idle timeout's business, not this one's. On expiry it fires
 * {@link Http2Connections#HEADER_TIMEOUT} for the connection guard, which ends the connection.
 *
 * <p>Like the HTTP/1.1 header timeout, arming and disarming only move a {@link LazyDeadline}, and
 * a read that ends on a frame boundary costs no clock read.
 */
final class Http2HeaderReadTimeout extends ChannelInboundHandlerAdapter {
  private static final int PREFACE_LENGTH = 24;
  private static final int FRAME_HEADER_LENGTH = 9;
  private static final int TYPE_HEADERS = 0x1;
  private static final int TYPE_CONTINUATION = 0x9;
  private static final int FLAG_END_HEADERS = 0x4;

  private final long timeoutNanos;
  /** Preface bytes still to come; then 0. */
  private int prefaceLeft = PREFACE_LENGTH;
  /** The frame header being read: bytes so far and the fields gathered from them. */
  private int headerBytes;
  private int length;
  private int type;
  private int flags;
  /** Payload bytes of the current frame still to come; -1 between frames. */
  private long payloadLeft = -1;
  /** A HEADERS frame came without END_HEADERS; the block ends with a CONTINUATION that has it. */
  private boolean blockOpen;
  private LazyDeadline deadline;

  Http2HeaderReadTimeout(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    deadline = new LazyDeadline(ctx.executor(), () -> expire(ctx));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf && buf.isReadable()) {
      scan(buf, buf.readerIndex(), buf.writerIndex());
      if (!readingHead()) {
        deadline.disarm();
      } else if (!deadline.armed()) {
        deadline.arm(timeoutNanos);
      }
    }
    ctx.fireChannelRead(msg);
  }

  /** Follows the frame boundaries through {@code buf[from, to)} without moving its indexes. */
  private void scan(ByteBuf buf, int from, int to) {
    int i = from;
    if (prefaceLeft > 0) {
      int n = Math.min(prefaceLeft, to - i);
      prefaceLeft -= n;
      i += n;
    }
    while (i < to) {
      if (payloadLeft > 0) {
        long n = Math.min(payloadLeft, to - i);
        payloadLeft -= n;
        i += (int) n;
        if (payloadLeft == 0) {
          frameEnded();
        }
        continue;
      }
      int b = buf.getUnsignedByte(i++);
      switch (headerBytes++) {
        case 0, 1, 2 -> length = (length << 8) | b;
        case 3 -> type = b;
        case 4 -> flags = b;
        default -> { } // the stream identifier: not needed here
      }
      if (headerBytes == FRAME_HEADER_LENGTH) {
        frameStarted();
      }
    }
  }

  private void frameStarted() {
    headerBytes = 0;
    if (type == TYPE_HEADERS) {
      blockOpen = (flags & FLAG_END_HEADERS) == 0;
    } else if (type == TYPE_CONTINUATION && (flags & FLAG_END_HEADERS) != 0) {
      blockOpen = false;
    }
    payloadLeft = length;
    length = 0;
    if (payloadLeft == 0) {
      frameEnded();
    }
  }

  private void frameEnded() {
    payloadLeft = -1;
    type = 0;
  }

  /** Whether the client is part-way through something that belongs to a request's head. */
  private boolean readingHead() {
    return prefaceLeft > 0
        || headerBytes > 0
        || blockOpen
        || (payloadLeft > 0 && (type == TYPE_HEADERS || type == TYPE_CONTINUATION));
  }

  private void expire(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      ctx.fireUserEventTriggered(Http2Connections.HEADER_TIMEOUT);
    }
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadline.cancel();
  }
}
