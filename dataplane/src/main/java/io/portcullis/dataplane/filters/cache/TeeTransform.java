package io.portcullis.dataplane.filters.cache;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.portcullis.dataplane.filter.BodyTransform;
import java.util.Arrays;

/**
 * Relays a response body unchanged while copying it for the store: the client gets every part as
 * soon as it arrives, and the copy is handed over when the body ends. Past the object limit the
 * copy is dropped and the rest is only relayed.
 */
final class TeeTransform implements BodyTransform {
  /** What becomes of the copy. Called on the event loop. */
  interface Sink {
    /** The whole body, within the limit. */
    void complete(byte[] body);

    /** Not stored: over the limit, or the response broke off. */
    void abandon(String reason);
  }

  private final long limit;
  private final Sink sink;
  private byte[] copy;
  private int size;
  private boolean done;

  TeeTransform(long limit, long expectedLength, Sink sink) {
    this.limit = limit;
    this.sink = sink;
    if (expectedLength > limit) {
      done = true;
      sink.abandon("over the object size limit");
    } else {
      copy = new byte[(int) Math.max(256, Math.min(expectedLength < 0 ? 8192 : expectedLength, limit))];
    }
  }

  @Override
  public ByteBuf onData(ByteBuf part) {
    if (!done) {
      int n = part.readableBytes();
      if ((long) size + n > limit) {
        done = true;
        copy = null;
        sink.abandon("over the object size limit");
      } else {
        if (size + n > copy.length) {
          copy = Arrays.copyOf(copy, (int) Math.min(limit, Math.max((long) copy.length * 2, size + n)));
        }
        part.getBytes(part.readerIndex(), copy, size, n);
        size += n;
      }
    }
    return part;
  }

  @Override
  public ByteBuf onEnd() {
    if (!done) {
      done = true;
      byte[] body = size == copy.length ? copy : Arrays.copyOf(copy, size);
      copy = null;
      sink.complete(body);
    }
    return Unpooled.EMPTY_BUFFER;
  }

  @Override
  public boolean preservesLength() {
    return true;
  }

  @Override
  public void onAbort() {
    if (!done) {
      done = true;
      copy = null;
      sink.abandon("the response broke off");
    }
  }
}
