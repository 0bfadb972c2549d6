package io.portcullis.dataplane.h2;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CleartextPrefaceDetectorTest {
  private static final String PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
  private final AtomicInteger switched = new AtomicInteger();

  private EmbeddedChannel channel() {
    return new EmbeddedChannel(new CleartextPrefaceDetector(p -> switched.incrementAndGet()));
  }

  private static ByteBuf ascii(String s) {
    return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
  }

  private static String drain(EmbeddedChannel ch) {
    StringBuilder out = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readInbound()) != null) {
      out.append(b.toString(StandardCharsets.US_ASCII));
      b.release();
    }
    return out.toString();
  }

  @Test
  @DisplayName("a preface arriving in pieces switches to HTTP/2 once, and every byte is passed on in order")
  void prefaceInPieces() {
    EmbeddedChannel ch = channel();
    ch.writeInbound(ascii("PRI * HT"));
    assertNull(ch.readInbound(), "nothing passed while undecided");
    ch.writeInbound(ascii("TP/2.0\r\n\r\nSM\r"));
    assertEquals(0, switched.get());
    ch.writeInbound(ascii("\n\r\n\0\0\0\4"));
    assertEquals(1, switched.get());
    assertEquals(PREFACE + "\0\0\0\4", drain(ch));
    assertNull(ch.pipeline().get(CleartextPrefaceDetector.class), "removed itself");
    ch.writeInbound(ascii("more"));
    assertEquals("more", drain(ch));
    assertFalse(ch.finish());
  }

  @Test
  @DisplayName("an HTTP/1.1 request that starts like the preface (POST, PRI * HTTP/1.1) stays HTTP/1.1")
  void http1LookAlikes() {
    for (String request : new String[] {"POST / HTTP/1.1\r\n", "PRI * HTTP/1.1\r\n\r\n", "G"}) {
      EmbeddedChannel ch = channel();
      ch.writeInbound(ascii(request));
      assertEquals(request, drain(ch));
      assertNull(ch.pipeline().get(CleartextPrefaceDetector.class));
      assertFalse(ch.finish());
    }
    assertEquals(0, switched.get());
  }

  @Test
  @DisplayName("a connection that closes mid-preface releases what it held")
  void closedWhileUndecided() {
    EmbeddedChannel ch = channel();
    ByteBuf partial = ascii("PRI *");
    ch.writeInbound(partial);
    assertTrue(ch.isActive());
    ch.close();
    assertEquals(0, partial.refCnt());
    assertEquals(0, switched.get());
    assertFalse(ch.finish());
  }
}
