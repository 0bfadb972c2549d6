package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.util.List;
import org.junit.jupiter.api.Test;

class SharedFrameTest {
  private static byte[] joined(List<byte[]> pieces) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    pieces.forEach(out::writeBytes);
    return out.toByteArray();
  }

  @Test
  void aSharedSnapshotFrameIsTheSameBytesAsTheMessageEncodedForThatNonce() {
    Snapshot snapshot = Fixtures.everything();
    SharedFrame shared = SharedFrame.snapshot(snapshot);
    for (String nonce : List.of("n-1", "3f-2749", "with \"quotes\" and ünïcödé")) {
      assertArrayEquals(MessageFraming.encode(new StreamMessage.SnapshotMsg(nonce, snapshot)),
          joined(shared.frame(nonce)), nonce);
    }
    assertEquals(snapshot.version(), shared.version());
  }

  @Test
  void aSharedDeltaFrameIsTheSameBytesAsTheMessageEncodedForThatNonce() {
    Delta delta = Delta.between(Fixtures.everything(), Fixtures.changed());
    SharedFrame shared = SharedFrame.delta(delta);
    for (String nonce : List.of("n-1", "3f-2749")) {
      assertArrayEquals(MessageFraming.encode(new StreamMessage.DeltaMsg(nonce, delta)),
          joined(shared.frame(nonce)), nonce);
    }
  }

  @Test
  void everyFrameSharesTheOneEncodedBodyAndDecodesToItsOwnNonce() {
    Snapshot snapshot = Fixtures.withTls();
    SharedFrame shared = SharedFrame.snapshot(snapshot);
    List<byte[]> a = shared.frame("a");
    List<byte[]> b = shared.frame("b");
    assertSame(a.get(1), b.get(1));
    assertEquals(shared.sharedBytes(), a.get(1).length);
    byte[] frame = joined(b);
    StreamMessage decoded = MessageFraming.decode(java.util.Arrays.copyOfRange(frame, 4, frame.length));
    assertEquals(new StreamMessage.SnapshotMsg("b", snapshot), decoded);
  }
}
