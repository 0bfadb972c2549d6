package io.portcullis.transport;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2PingFrame;
import io.netty.handler.timeout.IdleStateEvent;
import org.junit.jupiter.api.Test;

class KeepaliveTest {

  @Test
  void writeSilenceSendsAPing() {
    EmbeddedChannel channel = new EmbeddedChannel(new Keepalive());
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_WRITER_IDLE_STATE_EVENT);
    Http2PingFrame ping = assertInstanceOf(Http2PingFrame.class, channel.readOutbound());
    assertFalse(ping.ack());
    assertTrue(channel.isOpen());
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.WRITER_IDLE_STATE_EVENT);
    Http2PingFrame next = channel.readOutbound();
    assertTrue(next.content() != ping.content(), "each PING carries its own payload");
    assertFalse(channel.finish());
  }

  @Test
  void readSilenceForThreeIntervalsClosesTheConnection() {
    EmbeddedChannel channel = new EmbeddedChannel(new Keepalive());
    channel.pipeline().fireUserEventTriggered(IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT);
    assertFalse(channel.isOpen());
    assertNull(channel.readOutbound());
  }

  @Test
  void otherEventsPassThrough() {
    EmbeddedChannel channel = new EmbeddedChannel(new Keepalive());
    channel.pipeline().fireUserEventTriggered("something else");
    assertTrue(channel.isOpen());
    assertFalse(channel.finish());
  }
}
