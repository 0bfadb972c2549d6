package io.portcullis.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.StreamMessage;
import io.portcullis.snapshot.StreamMessage.Ack;
import io.portcullis.snapshot.StreamMessage.Hello;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageStreamHandlerTest {
  private static final Hello HELLO = new Hello("node-a", null, StreamMessage.PROTOCOL_VERSION);
  private static final Ack ACK = new Ack("v1", "n1");

  /** Writes down every call. */
  private static final class Recorder extends MessageStreamHandler {
    final List<Object> calls = new ArrayList<>();
    boolean reading = true;

    Recorder(int maxBytes) {
      super(maxBytes);
    }

    @Override
    protected void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame) {
      calls.add("headers " + frame.headers().path());
    }

    @Override
    protected void onMessage(ChannelHandlerContext ctx, StreamMessage message) {
      calls.add(message);
      if (message instanceof Hello) {
        send(ctx, ACK);
      }
    }

    @Override
    protected void onUnreadable(ChannelHandlerContext ctx, String why) {
      calls.add("unreadable " + why);
    }

    @Override
    protected void onReset(ChannelHandlerContext ctx, long errorCode) {
      calls.add("reset " + errorCode);
    }

    @Override
    protected void onEndStream(ChannelHandlerContext ctx) {
      calls.add("end");
    }

    @Override
    protected boolean readingMessages(ChannelHandlerContext ctx) {
      return reading && super.readingMessages(ctx);
    }
  }

  private static DefaultHttp2DataFrame data(byte[] bytes, boolean endStream) {
    return new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), endStream);
  }

  private static byte[] concat(byte[] a, byte[] b) {
    return ByteBuffer.allocate(a.length + b.length).put(a).put(b).array();
  }

  @Test
  void messagesSplitAcrossDataFramesArriveWholeAndInOrder() {
    Recorder recorder = new Recorder(MessageFraming.DEFAULT_MAX_FRAME_BYTES);
    EmbeddedChannel channel = new EmbeddedChannel(recorder);
    byte[] both = concat(MessageFraming.encode(HELLO), MessageFraming.encode(ACK));
    int cut = 7;
    DefaultHttp2HeadersFrame headers =
        new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().path(MessageStreamHandler.PATH));
    channel.writeInbound(headers);
    DefaultHttp2DataFrame first = data(java.util.Arrays.copyOf(both, cut), false);
    DefaultHttp2DataFrame rest =
        data(java.util.Arrays.copyOfRange(both, cut, both.length), true);
    channel.writeInbound(first, rest);
    assertEquals(List.of("headers /v1/stream", HELLO, ACK, "end"), recorder.calls);
    assertEquals(0, first.refCnt(), "every frame is released");
    assertEquals(0, rest.refCnt());
    Http2DataFrame answer = assertInstanceOf(Http2DataFrame.class, channel.readOutbound());
    answer.release();
    assertFalse(channel.finish());
  }

  @Test
  void sendFramesOneMessageIntoOneDataFrame() {
    Recorder recorder = new Recorder(MessageFraming.DEFAULT_MAX_FRAME_BYTES);
    EmbeddedChannel channel = new EmbeddedChannel(recorder);
    channel.writeInbound(data(MessageFraming.encode(HELLO), false));
    Http2DataFrame sent = assertInstanceOf(Http2DataFrame.class, channel.readOutbound());
    try {
      assertFalse(sent.isEndStream());
      ByteBuf content = sent.content();
      List<StreamMessage> decoded = new MessageFraming.Reader().read(content.nioBuffer());
      assertEquals(List.of(ACK), decoded);
    } finally {
      sent.release();
    }
    assertFalse(channel.finish());
  }

  @Test
  void aMessageOverTheLimitIsUnreadableAndNotDelivered() {
    byte[] hello = MessageFraming.encode(HELLO);
    Recorder recorder = new Recorder(hello.length - 5);
    EmbeddedChannel channel = new EmbeddedChannel(recorder);
    DefaultHttp2DataFrame frame = data(hello, false);
    channel.writeInbound(frame);
    assertEquals(1, recorder.calls.size());
    assertTrue(recorder.calls.get(0).toString().startsWith("unreadable frame of"),
        recorder.calls.toString());
    assertEquals(0, frame.refCnt());
    assertFalse(channel.finish());
  }

  @Test
  void garbageIsUnreadable() {
    Recorder recorder = new Recorder(1024);
    EmbeddedChannel channel = new EmbeddedChannel(recorder);
    byte[] notJson = "{nope".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] framed = ByteBuffer.allocate(4 + notJson.length).putInt(notJson.length).put(notJson).array();
    channel.writeInbound(data(framed, false));
    assertEquals(1, recorder.calls.size());
    assertTrue(recorder.calls.get(0).toString().startsWith("unreadable "));
    assertFalse(channel.finish());
  }

  @Test
  void aStreamBeingTornDownReadsNoMoreMessagesButStillReleasesFrames() {
    Recorder recorder = new Recorder(MessageFraming.DEFAULT_MAX_FRAME_BYTES);
    recorder.reading = false;
    EmbeddedChannel channel = new EmbeddedChannel(recorder);
    DefaultHttp2DataFrame frame = data(MessageFraming.encode(HELLO), true);
    channel.writeInbound(frame);
    assertEquals(List.of(), recorder.calls);
    assertEquals(0, frame.refCnt());
    assertFalse(channel.finish());
  }

  @Test
  void aResetArrivesAsAnEventAndOtherEventsPassOn() {
    Recorder recorder = new Recorder(1024);
    List<Object> passed = new ArrayList<>();
    EmbeddedChannel channel = new EmbeddedChannel(recorder,
        new io.netty.channel.ChannelInboundHandlerAdapter() {
          @Override
          public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            passed.add(evt);
          }
        });
    channel.pipeline().fireUserEventTriggered(new DefaultHttp2ResetFrame(Http2Error.CANCEL));
    channel.pipeline().fireUserEventTriggered("other");
    assertEquals(List.of("reset " + Http2Error.CANCEL.code()), recorder.calls);
    assertEquals(List.of("other"), passed);
    assertFalse(channel.finish());
  }
}
