package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.ssl.SslContext;
import io.portcullis.dataplane.testing.LoopbackServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback HTTP/2 backend (h2c with prior knowledge, or h2 over TLS when given a context with
 * ALPN h2), built from Netty's server codec. It answers {@code method uri body} with 200, except:
 * {@code /gate} holds every response until {@link #gate} requests are held, then answers them all
 * (so a test knows they were in flight together); {@code /goaway} sends GOAWAY before answering;
 * {@code /die} closes the whole connection. While {@link #refuseNext} is positive, a request's
 * stream is reset with {@code REFUSED_STREAM} instead (as an overloaded server does).
 */
final class H2TestBackend implements AutoCloseable {
  final List<DefaultHttpHeaders> requestHeaders = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  /** Every connection's bytes as received (after TLS), preface and frames: for the HPACK tests. */
  final List<ByteArrayOutputStream> received = new CopyOnWriteArrayList<>();
  final AtomicInteger maxHeld = new AtomicInteger();
  volatile int gate = Integer.MAX_VALUE;
  /** This many streams from now on are reset with REFUSED_STREAM instead of answered. */
  final AtomicInteger refuseNext = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();
  private final SslContext tls;
  private final long maxConcurrentStreams;
  /** Held /gate requests; touched only on the backend's single loop. */
  private final List<Runnable> held = new ArrayList<>();
  private LoopbackServer server;

  H2TestBackend(SslContext tls, long maxConcurrentStreams) {
    this.tls = tls;
    this.maxConcurrentStreams = maxConcurrentStreams;
  }

  int start() {
    server = LoopbackServer.start(ch -> {
      connections.incrementAndGet();
      if (tls != null) {
        ch.pipeline().addLast(tls.newHandler(ch.alloc()));
      }
      ByteArrayOutputStream raw = new ByteArrayOutputStream();
      received.add(raw);
      ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) throws IOException {
          if (msg instanceof ByteBuf bytes) {
            synchronized (raw) {
              bytes.getBytes(bytes.readerIndex(), raw, bytes.readableBytes());
            }
          }
          ctx.fireChannelRead(msg);
        }
      });
      ch.pipeline()
          .addLast(Http2FrameCodecBuilder.forServer()
              .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxConcurrentStreams))
              .build())
          .addLast(new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel stream) {
              stream.pipeline()
                  .addLast(new Http2StreamFrameToHttpObjectCodec(true))
                  .addLast(new HttpObjectAggregator(1 << 20))
                  .addLast(new App());
            }
          }));
    });
    return server.port();
  }

  private final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      if (refuseNext.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        refused.incrementAndGet();
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.REFUSED_STREAM));
        return;
      }
      requestHeaders.add((DefaultHttpHeaders) new DefaultHttpHeaders().set(req.headers()));
      String body = req.content().toString(StandardCharsets.UTF_8);
      byte[] out = (req.method() + " " + req.uri() + " " + body).getBytes(StandardCharsets.UTF_8);
      FullHttpResponse r = new DefaultFullHttpResponse(
          HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(out));
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, out.length).set("x-backend", "h2");
      String path = req.uri();
      if (path.startsWith("/die")) {
        r.release();
        ctx.channel().parent().close();
        return;
      }
      if (path.startsWith("/goaway")) {
        // Before the answer, so the proxy has it when its client sees the response.
        ctx.channel().parent().writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
      }
      if (path.startsWith("/gate")) {
        held.add(() -> ctx.writeAndFlush(r));
        maxHeld.accumulateAndGet(held.size(), Math::max);
        if (held.size() >= gate) {
          List<Runnable> all = List.copyOf(held);
          held.clear();
          all.forEach(Runnable::run);
        }
        return;
      }
      ctx.writeAndFlush(r);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
  }
}
