package io.portcullis.dataplane.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2SettingsFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.util.function.IntConsumer;

/**
 * One multiplexed HTTP/2 connection to a backend and the streams it carries. Lives on one event
 * loop; every method must be called there.
 *
 * <p>Capacity: the backend's {@code SETTINGS_MAX_CONCURRENT_STREAMS}; until its SETTINGS arrive we
 * assume what the same backend announced last time, or {@link #ASSUMED_MAX_STREAMS} (the value
 * most servers announce), and the codec's stream buffering absorbs the difference if the backend
 * turns out to allow fewer. After a GOAWAY the
 * connection takes no new streams and closes once its last stream ends.
 */
final class H2Connection {
  /** Streams a connection takes before the backend has said how many it allows. */
  static final int ASSUMED_MAX_STREAMS = 100;

  private final Http2FrameCodec codec;
  private Channel channel;
  private final Promise<Void> ready;
  private final int assumedMaxStreams;
  private final IntConsumer learned;
  private int streams;
  private boolean settingsReceived;
  private int announcedMaxStreams = Integer.MAX_VALUE;
  private boolean goingAway;

  /**
   * @param assumedMaxStreams the stream limit to assume until the backend's SETTINGS arrive
   * @param learned told the limit the backend announced
   */
  H2Connection(EventLoop loop, Http2FrameCodec codec, int assumedMaxStreams, IntConsumer learned) {
    this.codec = codec;
    this.assumedMaxStreams = assumedMaxStreams;
    this.learned = learned;
    this.ready = loop.newPromise();
  }

  /** Called from the channel's initializer, before anything can be sent on it. */
  void attach(Channel ch) {
    this.channel = ch;
    ch.closeFuture().addListener(f -> ready.tryFailure(new ClosedChannelException()));
  }

  Channel channel() {
    return channel;
  }

  /** Completes when streams can be opened (TCP up, and for TLS the handshake chose h2). */
  Future<Void> ready() {
    return ready;
  }

  void markReady() {
    ready.trySuccess(null);
  }

  void fail(Throwable cause) {
    ready.tryFailure(cause);
    if (channel != null) {
      channel.close();
    }
  }

  /** Whether one more stream may go to this connection now. */
  boolean hasCapacity() {
    return (channel == null || channel.isOpen()) && !goingAway && !codec.connection().goAwayReceived()
        && streams < maxStreams();
  }

  int maxStreams() {
    return settingsReceived ? announcedMaxStreams : assumedMaxStreams;
  }

  int streams() {
    return streams;
  }

  /** Counts a stream about to be opened (before it exists, so concurrent acquires see it). */
  void reserve() {
    streams++;
  }

  /** A reserved or opened stream is gone. */
  void streamClosed() {
    streams--;
    if (streams == 0 && goingAway && channel != null) {
      channel.close();
    }
  }

  /** Closes the connection if it carries no stream; true when it did. */
  boolean closeIfUnused() {
    if (streams == 0 && channel != null) {
      channel.close();
      return true;
    }
    return false;
  }

  /** The last handler of the connection: connection-level frames and events. */
  ChannelInboundHandlerAdapter handler() {
    return new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
          if (msg instanceof Http2SettingsFrame settings) {
            Long max = settings.settings().maxConcurrentStreams();
            if (max != null) {
              announcedMaxStreams = (int) Math.min(Integer.MAX_VALUE, max);
            }
            if (!settingsReceived) {
              settingsReceived = true;
              learned.accept(announcedMaxStreams);
            }
          } else if (msg instanceof Http2GoAwayFrame) {
            goingAway = true;
            if (streams == 0) {
              ctx.close();
            }
          }
        } finally {
          ReferenceCountUtil.release(msg);
        }
      }

      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof IdleStateEvent) {
          closeIfUnused();
        }
        ReferenceCountUtil.release(evt);
      }

      @Override
      public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A connection error: its streams fail through their own channels closing.
        ready.tryFailure(cause);
        ctx.close();
      }
    };
  }
}
