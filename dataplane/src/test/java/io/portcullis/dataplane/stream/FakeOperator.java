package io.portcullis.dataplane.stream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.StreamMessage;
import java.net.InetSocketAddress;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A scripted operator for client tests: answers each stream with {@link #status}, records the
 * dataplane's messages, and lets the test send any message or bytes on the latest stream.
 */
final class FakeOperator implements AutoCloseable {
  final BlockingQueue<StreamMessage> received = new LinkedBlockingQueue<>();
  final BlockingQueue<Http2StreamChannel> streams = new LinkedBlockingQueue<>();
  volatile String status = "200";
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
  private final Channel server;
  private volatile Http2StreamChannel latest;

  FakeOperator(int port) throws InterruptedException {
    server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            ch.pipeline().addLast(Http2FrameCodecBuilder.forServer().build(),
                new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
                  @Override
                  protected void initChannel(Http2StreamChannel stream) {
                    stream.pipeline().addLast(new Session());
                  }
                }));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  StreamMessage next() throws InterruptedException {
    StreamMessage message = received.poll(5, TimeUnit.SECONDS);
    if (message == null) {
      throw new AssertionError("the dataplane sent nothing within 5 s");
    }
    return message;
  }

  void send(StreamMessage message) {
    sendBytes(MessageFraming.encode(message));
  }

  void sendBytes(byte[] bytes) {
    latest.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), false));
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private final class Session extends ChannelInboundHandlerAdapter {
    private final MessageFraming.Reader reader = new MessageFraming.Reader();

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      try {
        if (msg instanceof Http2HeadersFrame) {
          boolean ok = status.equals("200");
          ctx.writeAndFlush(new DefaultHttp2HeadersFrame(
              new DefaultHttp2Headers().status(status), !ok));
          if (ok) {
            latest = (Http2StreamChannel) ctx.channel();
            streams.add(latest);
          }
        } else if (msg instanceof Http2DataFrame data) {
          received.addAll(reader.read(data.content().nioBuffer()));
        }
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }
  }
}
