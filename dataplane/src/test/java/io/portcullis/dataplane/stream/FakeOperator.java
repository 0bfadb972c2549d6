package io.portcullis.dataplane.stream;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.testing.LoopbackServer;
import io.portcullis.snapshot.MessageFraming;
import io.portcullis.snapshot.StreamMessage;
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
  private final LoopbackServer server;
  private volatile Http2StreamChannel latest;

  FakeOperator(int port) {
    server = LoopbackServer.start(port, ch -> ch.pipeline().addLast(
        Http2FrameCodecBuilder.forServer().build(),
        new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream.pipeline().addLast(new Session());
          }
        })));
  }

  int port() {
    return server.port();
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
    server.close();
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
