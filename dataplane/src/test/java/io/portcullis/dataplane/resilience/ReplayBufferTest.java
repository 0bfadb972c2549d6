package io.portcullis.dataplane.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReplayBufferTest {

  private static HttpContent part(String s) {
    return new DefaultHttpContent(Unpooled.copiedBuffer(s, StandardCharsets.UTF_8));
  }

  @Test
  void aSmallBodyIsReplayedWholeAfterTheOriginalsWereWrittenAndReleased() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    HttpContent a = part("hello ");
    HttpContent b = new DefaultLastHttpContent(Unpooled.copiedBuffer("world", StandardCharsets.UTF_8));
    buffer.record(a);
    buffer.record(b);
    a.content().skipBytes(a.content().readableBytes()); // as a socket write does
    a.release();
    b.release();
    List<HttpContent> replay = buffer.replay();
    StringBuilder text = new StringBuilder();
    for (HttpContent c : replay) {
      text.append(c.content().toString(StandardCharsets.UTF_8));
      c.release();
    }
    assertEquals("hello world", text.toString());
    assertTrue(buffer.replayable());
    buffer.release();
    assertEquals(0, a.refCnt());
    assertEquals(0, b.refCnt());
  }

  @Test
  void aBodyOverTheLimitIsDroppedAndNoLongerReplayable() {
    ReplayBuffer buffer = new ReplayBuffer(8);
    HttpContent a = part("12345");
    HttpContent b = part("67890");
    buffer.record(a);
    buffer.record(b);
    assertFalse(buffer.replayable());
    a.release();
    b.release();
    assertEquals(0, a.refCnt(), "the held copy was released when the limit was passed");
    assertEquals(0, b.refCnt());
  }
}
