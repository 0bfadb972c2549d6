package io.portcullis.operator.stream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.StreamMessage;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A hand-driven HTTP/2 peer for the stream server: opens streams with any method and path, sends
 * any bytes, and records what comes back. Lets tests play a misbehaving or slow dataplane.
 */
public final class TestStreamPeer implements AutoCloseable {
  private static final Duration WAIT = Duration.ofSeconds(5);

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel connection;

  public TestStreamPeer(int port) throws InterruptedException {
    connection = new Bootstrap()
        .group(group)
        .channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
          }
        })
        .connect("127.0.0.1", port).sync().channel();
  }

  Stream open(String method, String path) throws InterruptedException {
    Stream stream = new Stream();
    Http2StreamChannel channel =
        new Http2StreamChannelBootstrap(connection).handler(stream).open().sync().getNow();
    stream.channel = channel;
    channel.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers()
        .method(method).scheme("http").authority("127.0.0.1").path(path), false)).sync();
    return stream;
  }

  /** Opens {@code POST /v1/stream} and sends a hello. */
  public Stream hello(String nodeId, String version) throws InterruptedException {
    Stream stream = open("POST", "/v1/stream");
    stream.send(new StreamMessage.Hello(nodeId, version, StreamMessage.PROTOCOL_VERSION));
    return stream;
  }

  boolean isConnectionOpen() {
    return connection.isActive();
  }

  @Override
  public void close() {
    if (group.isShuttingDown()) {
      return;
    }
    connection.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** One stream and everything received on it. */
  public static final class Stream extends ChannelInboundHandlerAdapter {
    final BlockingQueue<StreamMessage> messages = new LinkedBlockingQueue<>();
    final BlockingQueue<String> statuses = new LinkedBlockingQueue<>();
    final BlockingQueue<Long> resets = new LinkedBlockingQueue<>();
    private final MessageFraming.Reader reader = new MessageFraming.Reader();
    volatile boolean closed;
    Http2StreamChannel channel;

    public void send(StreamMessage message) throws InterruptedException {
      sendBytes(MessageFraming.encode(message));
    }

    void sendBytes(byte[] bytes) throws InterruptedException {
      channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), false)).sync();
    }

    /** The next message, failing the test when none comes in time. */
    public StreamMessage next() throws InterruptedException {
      StreamMessage message = messages.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (message == null) {
        throw new AssertionError("no message within " + WAIT);
      }
      return message;
    }

    String status() throws InterruptedException {
      String status = statuses.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      if (status == null) {
        throw new AssertionError("no response headers within " + WAIT);
      }
      return status;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame headers && headers.headers().status() != null) {
          statuses.add(headers.headers().status().toString());
        } else if (msg instanceof Http2DataFrame data) {
          messages.addAll(reader.read(data.content().nioBuffer()));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      // The multiplexer hands a received RST_STREAM to the stream as an event, not a read.
      if (evt instanceof Http2ResetFrame reset) {
        resets.add(reset.errorCode());
      } else {
        ctx.fireUserEventTriggered(evt);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closed = true;
    }
  }
}
