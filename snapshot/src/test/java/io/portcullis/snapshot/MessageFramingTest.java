package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.Hello;
import io.portcullis.snapshot.StreamMessage.Nack;
import io.portcullis.snapshot.StreamMessage.SnapshotMsg;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageFramingTest {
  private static final List<StreamMessage> MESSAGES = List.of(
      new Hello("node-0", null, 1),
      new SnapshotMsg("n-1", Fixtures.everything()),
      new Ack(Fixtures.everything().version(), "n-1"),
      new Nack("v", "n-2", "bad", List.of("route/x")));

  private static byte[] stream() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MESSAGES.forEach(m -> out.writeBytes(MessageFraming.encode(m)));
    return out.toByteArray();
  }

  @Test
  void aFrameIsAFourByteBigEndianLengthAndTheJson() {
    byte[] frame = MessageFraming.encode(new Ack("v1", "n1"));
    byte[] json = SnapshotCodec.toJson(new Ack("v1", "n1"));
    assertEquals(json.length, ByteBuffer.wrap(frame).getInt());
    assertEquals("{\"type\":\"ack\",\"nonce\":\"n1\",\"version\":\"v1\"}",
        new String(frame, 4, frame.length - 4, StandardCharsets.UTF_8));
  }

  @Test
  void severalMessagesInOneChunkAllCome() {
    MessageFraming.Reader reader = new MessageFraming.Reader();
    assertEquals(MESSAGES, reader.read(ByteBuffer.wrap(stream())));
    assertTrue(reader.isIdle());
  }

  @Test
  void aStreamSplitAtEveryByteBoundaryGivesTheSameMessages() {
    byte[] bytes = stream();
    for (int split = 0; split <= bytes.length; split++) {
      MessageFraming.Reader reader = new MessageFraming.Reader();
      List<StreamMessage> got = new ArrayList<>(reader.read(ByteBuffer.wrap(bytes, 0, split)));
      got.addAll(reader.read(ByteBuffer.wrap(bytes, split, bytes.length - split)));
      assertEquals(MESSAGES, got, "split at " + split);
      assertTrue(reader.isIdle());
    }
  }

  @Test
  void aStreamDeliveredOneByteAtATimeGivesTheSameMessages() {
    byte[] bytes = stream();
    MessageFraming.Reader reader = new MessageFraming.Reader();
    List<StreamMessage> got = new ArrayList<>();
    for (int i = 0; i < bytes.length; i++) {
      List<StreamMessage> completed = reader.read(ByteBuffer.wrap(bytes, i, 1));
      got.addAll(completed);
      // Idle exactly at message boundaries: a partial frame is always reported.
      assertEquals(!completed.isEmpty(), reader.isIdle(), "after byte " + i);
    }
    assertEquals(MESSAGES, got);
  }

  @Test
  void aFrameOverTheLimitIsRejectedFromItsHeaderAlone() {
    MessageFraming.Reader reader = new MessageFraming.Reader(1024);
    byte[] header = ByteBuffer.allocate(4).putInt(1025).array();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> reader.read(ByteBuffer.wrap(header)));
    assertTrue(e.getMessage().contains("exceeds limit 1024"));
  }

  @Test
  void aNegativeLengthIsRejected() {
    MessageFraming.Reader reader = new MessageFraming.Reader();
    byte[] header = ByteBuffer.allocate(4).putInt(-1).array();
    assertThrows(IllegalArgumentException.class, () -> reader.read(ByteBuffer.wrap(header)));
  }

  @Test
  void aFrameExactlyAtTheLimitIsAccepted() {
    byte[] frame = MessageFraming.encode(new Ack("v1", "n1"));
    MessageFraming.Reader reader = new MessageFraming.Reader(frame.length - 4);
    assertEquals(List.of(new Ack("v1", "n1")), reader.read(ByteBuffer.wrap(frame)));
  }

  @Test
  void aFrameThatIsNotJsonIsRejected() {
    byte[] json = "not json".getBytes(StandardCharsets.UTF_8);
    byte[] frame = ByteBuffer.allocate(4 + json.length).putInt(json.length).put(json).array();
    assertThrows(IllegalArgumentException.class,
        () -> new MessageFraming.Reader().read(ByteBuffer.wrap(frame)));
  }

  @Test
  void anEmptyFrameIsRejectedAtOnce() {
    MessageFraming.Reader reader = new MessageFraming.Reader();
    byte[] header = ByteBuffer.allocate(4).putInt(0).array();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> reader.read(ByteBuffer.wrap(header)));
    assertTrue(e.getMessage().contains("empty frame"));
  }
}
