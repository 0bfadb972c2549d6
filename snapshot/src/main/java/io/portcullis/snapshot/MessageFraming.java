package io.portcullis.snapshot;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The stream framing: each message is a 4-byte big-endian length followed by that many bytes of
 * JSON. {@link #encode} writes one frame; a {@link Reader} turns a byte stream, delivered in chunks
 * of any size, back into messages.
 */
public final class MessageFraming {
  /** Largest frame accepted by default: far above a 10,000-route snapshot, far below the heap. */
  public static final int DEFAULT_MAX_FRAME_BYTES = 256 * 1024 * 1024;

  private MessageFraming() {}

  public static byte[] encode(StreamMessage message) {
    byte[] json = SnapshotCodec.toJson(message);
    return ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array();
  }

  public static StreamMessage decode(byte[] json) {
    return SnapshotCodec.fromJson(json, StreamMessage.class);
  }

  /** Incremental frame reader. Not thread-safe: one per stream direction. */
  public static final class Reader {
    private final int maxFrameBytes;
    private final byte[] header = new byte[4];
    private int headerFilled;
    private ByteArrayOutputStream body;
    private int bodyLength = -1;

    public Reader() {
      this(DEFAULT_MAX_FRAME_BYTES);
    }

    public Reader(int maxFrameBytes) {
      this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * Consumes all of {@code chunk} and returns the messages it completed.
     *
     * @throws IllegalArgumentException for a frame over the limit or a message that does not
     *     decode; the stream is unusable after that
     */
    public List<StreamMessage> read(ByteBuffer chunk) {
      List<StreamMessage> messages = new ArrayList<>(1);
      while (chunk.hasRemaining()) {
        if (bodyLength < 0) {
          int n = Math.min(4 - headerFilled, chunk.remaining());
          chunk.get(header, headerFilled, n);
          headerFilled += n;
          if (headerFilled < 4) {
            break;
          }
          bodyLength = ByteBuffer.wrap(header).getInt();
          if (bodyLength < 0 || bodyLength > maxFrameBytes) {
            throw new IllegalArgumentException(
                "frame of " + Integer.toUnsignedString(bodyLength) + " bytes exceeds limit " + maxFrameBytes);
          }
          if (bodyLength == 0) {
            // Otherwise it would sit half-read until the next chunk: no JSON document is empty.
            throw new IllegalArgumentException("empty frame");
          }
          body = new ByteArrayOutputStream(Math.min(bodyLength, 1 << 16));
        }
        int n = Math.min(bodyLength - body.size(), chunk.remaining());
        byte[] part = new byte[n];
        chunk.get(part);
        body.write(part, 0, n);
        if (body.size() == bodyLength) {
          messages.add(decode(body.toByteArray()));
          body = null;
          bodyLength = -1;
          headerFilled = 0;
        }
      }
      return messages;
    }

    /** True when no partial frame is buffered. */
    public boolean isIdle() {
      return bodyLength < 0 && headerFilled == 0;
    }
  }
}
