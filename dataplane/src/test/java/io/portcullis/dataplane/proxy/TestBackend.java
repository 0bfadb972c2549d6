package io.portcullis.dataplane.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback backend whose behaviour depends on the path: {@code /hang} never answers, {@code
 * /half} sends half a status line and closes, {@code /ws} accepts an upgrade and echoes raw bytes,
 * anything else answers 200 with {@code method uri body} and some hop-by-hop headers.
 */
final class TestBackend implements AutoCloseable {
  record Seen(String method, String uri, HttpHeaders headers, String body) {}

  final List<Seen> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger connections = new AtomicInteger();
  /** SNI names the TLS clients sent (null for none), when started with TLS. */
  final List<String> sniNames = new CopyOnWriteArrayList<>();
  private final io.netty.handler.ssl.SslContext tls;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private Channel server;

  TestBackend() {
    this(null);
  }

  /** A backend that speaks TLS with {@code tls} (null: plaintext), recording the SNI names. */
  TestBackend(io.netty.handler.ssl.SslContext tls) {
    this.tls = tls;
  }

  int start() {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.incrementAndGet();
                    if (tls != null) {
                      ch.pipeline().addLast(new io.netty.handler.ssl.SniHandler(name -> {
                        sniNames.add(String.valueOf(name));
                        return tls;
                      }));
                    }
                    ch.pipeline()
                        .addLast("codec", new HttpServerCodec())
                        .addLast("agg", new HttpObjectAggregator(1 << 20))
                        .addLast("app", new App());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  private final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    private int served;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      served++;
      if (req.uri().startsWith("/flaky") && served > 1) {
        // Like a backend whose keep-alive timeout fired just as the proxy reused the connection.
        ctx.close();
        return;
      }
      String body = req.content().toString(StandardCharsets.UTF_8);
      requests.add(
          new Seen(req.method().name(), req.uri(), new DefaultHttpHeaders().set(req.headers()), body));
      String path = req.uri();
      if (path.startsWith("/hang")) {
        return;
      }
      if (path.startsWith("/half")) {
        ctx.writeAndFlush(Unpooled.copiedBuffer("HTTP/1.1 200 O", StandardCharsets.US_ASCII))
            .addListener(ChannelFutureListener.CLOSE);
        return;
      }
      if (path.startsWith("/ws")) {
        DefaultHttpResponse r =
            new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS);
        r.headers().set(HttpHeaderNames.UPGRADE, "websocket").set(HttpHeaderNames.CONNECTION, "Upgrade");
        ctx.writeAndFlush(r);
        ctx.pipeline().addLast(new Echo());
        ctx.pipeline().remove("app");
        ctx.pipeline().remove("agg");
        ctx.pipeline().remove("codec");
        return;
      }
      byte[] out = (req.method() + " " + req.uri() + " " + body).getBytes(StandardCharsets.UTF_8);
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(out));
      r.headers()
          .setInt(HttpHeaderNames.CONTENT_LENGTH, out.length)
          .set("keep-alive", "timeout=5")
          .set("connection", "keep-alive, x-backend-private")
          .set("x-backend-private", "secret")
          .set("x-backend", "yes");
      ctx.writeAndFlush(r);
    }
  }

  private static final class Echo extends ChannelInboundHandlerAdapter {
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof ByteBuf) {
        ctx.writeAndFlush(msg);
      } else {
        io.netty.util.ReferenceCountUtil.release(msg);
      }
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
