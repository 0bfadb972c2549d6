package io.portcullis.snapshot;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A {@code snapshot} or {@code delta} message encoded once and framed for any nonce: the same
 * bytes as {@link MessageFraming#encode} of that message with that nonce, in three pieces of which
 * the large middle one (the snapshot or delta) is shared by every frame made from it.
 *
 * <p>The operator sends the same version to every dataplane, each with its own nonce: encoding it
 * once instead of once per dataplane saves the CPU of the encoding and, while the frames wait for
 * the peers' flow-control windows, the memory (a 10,000-Ingress snapshot is about 12 MiB, so ten
 * dataplanes held 120 MiB of copies). Works because the codec writes the type first and the other
 * properties in alphabetical order: {@code {"type":"snapshot","nonce":N,"snapshot":S}} and
 * {@code {"type":"delta","delta":D,"nonce":N}}; {@code SharedFrameTest} holds it to that.
 */
public final class SharedFrame {
  private final String version;
  private final byte[] head;
  private final byte[] body;
  private final byte[] tail;
  private final boolean nonceFirst;

  private SharedFrame(String version, String type, String bodyName, byte[] body, boolean nonceFirst) {
    this.version = version;
    this.body = body;
    this.nonceFirst = nonceFirst;
    this.head = ("{\"type\":\"" + type + "\"," + (nonceFirst ? "" : "\"" + bodyName + "\":"))
        .getBytes(StandardCharsets.UTF_8);
    this.tail = nonceFirst ? "}".getBytes(StandardCharsets.UTF_8) : new byte[0];
  }

  /** A full snapshot, encoded now. */
  public static SharedFrame snapshot(Snapshot snapshot) {
    return new SharedFrame(snapshot.version(), "snapshot", "snapshot", SnapshotCodec.toJson(snapshot), true);
  }

  /** A delta, encoded now. */
  public static SharedFrame delta(Delta delta) {
    return new SharedFrame(delta.version(), "delta", "delta", SnapshotCodec.toJson(delta), false);
  }

  /** The version the message brings a dataplane to. */
  public String version() {
    return version;
  }

  /** Bytes of the shared part. */
  public int sharedBytes() {
    return body.length;
  }

  /**
   * The frame for {@code nonce}: length prefix and the message's JSON, as pieces to send in
   * order. The shared piece is this frame's own array: callers must not change it.
   */
  public List<byte[]> frame(String nonce) {
    Sorted.requireText(nonce, "nonce");
    byte[] nonceJson = SnapshotCodec.toJson(Objects.requireNonNull(nonce));
    byte[] before;
    byte[] after;
    if (nonceFirst) {
      before = concat(head, "\"nonce\":".getBytes(StandardCharsets.UTF_8), nonceJson,
          ",\"snapshot\":".getBytes(StandardCharsets.UTF_8));
      after = tail;
    } else {
      before = head;
      after = concat(",\"nonce\":".getBytes(StandardCharsets.UTF_8), nonceJson, "}".getBytes(StandardCharsets.UTF_8));
    }
    int length = before.length + body.length + after.length;
    byte[] first = ByteBuffer.allocate(4 + before.length).putInt(length).put(before).array();
    return List.of(first, body, after);
  }

  private static byte[] concat(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    ByteBuffer out = ByteBuffer.allocate(length);
    for (byte[] p : parts) {
      out.put(p);
    }
    return out.array();
  }
}
