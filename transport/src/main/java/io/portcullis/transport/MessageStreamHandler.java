package io.portcullis.transport;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.StreamMessage;
import java.util.List;

/**
 * One end of a snapshot stream, on its HTTP/2 stream channel: turns the frames that arrive into
 * calls, and stream messages into DATA frames. HEADERS frames go to {@link #onHeaders}; DATA frames
 * are unframed ({@link MessageFraming}) and each complete message goes to {@link #onMessage}; a
 * RST_STREAM, which the multiplexer hands over as an event, goes to {@link #onReset}. Every frame
 * is released here, whatever the subclass does. One instance per stream; every call on its event
 * loop.
 */
public abstract class MessageStreamHandler extends ChannelInboundHandlerAdapter {
  /** The one request of protocol v1: {@code POST /v1/stream}. */
  public static final String PATH = "/v1/stream";
  /** The content type of both directions. */
  public static final String CONTENT_TYPE = "application/x-portcullis-stream";

  private final MessageFraming.Reader reader;

  /** @param maxInboundMessageBytes largest message accepted from the peer */
  protected MessageStreamHandler(int maxInboundMessageBytes) {
    this.reader = new MessageFraming.Reader(maxInboundMessageBytes);
  }

  /** The request or response head, or trailers. */
  protected abstract void onHeaders(ChannelHandlerContext ctx, Http2HeadersFrame frame);

  /** One complete message from the peer. */
  protected abstract void onMessage(ChannelHandlerContext ctx, StreamMessage message);

  /** The peer's bytes do not make a message (over the limit, not JSON, not the contract). */
  protected abstract void onUnreadable(ChannelHandlerContext ctx, String why);

  /** The peer reset the stream with {@code errorCode}. */
  protected abstract void onReset(ChannelHandlerContext ctx, long errorCode);

  /** The peer ended its side of the stream (a DATA frame with END_STREAM). */
  protected abstract void onEndStream(ChannelHandlerContext ctx);

  /**
   * Whether messages are still wanted; checked before a DATA frame is read and before each message
   * it completed. By default while the channel is active; a subclass also stops once it is
   * tearing the stream down.
   */
  protected boolean readingMessages(ChannelHandlerContext ctx) {
    return ctx.channel().isActive();
  }

  /** Frames {@code message} into one DATA frame and flushes it. */
  protected static ChannelFuture send(ChannelHandlerContext ctx, StreamMessage message) {
    // The HTTP/2 flow controller queues what the peer's window does not admit yet.
    return ctx.writeAndFlush(new DefaultHttp2DataFrame(
            Unpooled.wrappedBuffer(MessageFraming.encode(message)), false))
        .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
  }

  @Override
  public final void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof Http2HeadersFrame headers) {
        onHeaders(ctx, headers);
      } else if (msg instanceof Http2DataFrame data) {
        onData(ctx, data);
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof Http2ResetFrame reset) {
      onReset(ctx, reset.errorCode());
    } else {
      ctx.fireUserEventTriggered(evt);
    }
  }

  private void onData(ChannelHandlerContext ctx, Http2DataFrame frame) {
    if (!readingMessages(ctx)) {
      return;
    }
    List<StreamMessage> messages;
    try {
      messages = reader.read(frame.content().nioBuffer());
    } catch (IllegalArgumentException e) {
      onUnreadable(ctx, e.getMessage());
      return;
    }
    for (StreamMessage message : messages) {
      if (!readingMessages(ctx)) {
        return;
      }
      onMessage(ctx, message);
    }
    if (frame.isEndStream()) {
      onEndStream(ctx);
    }
  }
}
