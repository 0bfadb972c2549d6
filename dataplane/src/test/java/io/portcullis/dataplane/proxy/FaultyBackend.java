package io.portcullis.dataplane.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
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
 * A loopback backend that misbehaves the way real ones do, chosen by {@link #mode}: answers
 * normally (naming itself in the body), never answers, resets the connection before or after the
 * response head, or answers 503. It records every request it read.
 */
final class FaultyBackend implements AutoCloseable {
  enum Mode {
    /** 200 with body {@code <name> <method> <uri> <body>}. */
    OK,
    /** Like {@link #OK}, 100 ms later: requests stay in flight long enough to be cut. */
    SLOW,
    /** Reads the request and never answers. */
    HANG,
    /** Reads the request and resets the connection (RST) without a byte of response. */
    RESET,
    /** 503 with a small body. */
    UNAVAILABLE,
    /** Sends a 200 head announcing 1000 bytes, 7 of them, then resets. */
    HEAD_THEN_RESET,
    /** Sends a 200 head announcing 1000 bytes, 7 of them, then goes silent. */
    HEAD_THEN_STALL
  }

  record Seen(String method, String uri, String host, String body) {}

  final String name;
  volatile Mode mode;
  final List<Seen> requests = new CopyOnWriteArrayList<>();
  final AtomicInteger hits = new AtomicInteger();
  /** Requests of {@link Mode#SLOW} read and not answered yet. */
  final AtomicInteger inFlight = new AtomicInteger();
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private Channel server;
  private int port;
  private final List<Channel> open = new CopyOnWriteArrayList<>();

  FaultyBackend(String name, Mode mode) {
    this.name = name;
    this.mode = mode;
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
                    open.add(ch);
                    ch.closeFuture().addListener(f -> open.remove(ch));
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 20))
                        .addLast(new App());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
    port = ((InetSocketAddress) server.localAddress()).getPort();
    return port;
  }

  int port() {
    return port;
  }

  private final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      String body = req.content().toString(StandardCharsets.UTF_8);
      requests.add(
          new Seen(req.method().name(), req.uri(), req.headers().get(HttpHeaderNames.HOST), body));
      hits.incrementAndGet();
      switch (mode) {
        case OK -> answer(ctx, HttpResponseStatus.OK, name + " " + req.method() + " " + req.uri() + " " + body);
        case SLOW -> {
          inFlight.incrementAndGet();
          String text = name + " " + req.method() + " " + req.uri() + " " + body;
          ctx.executor()
              .schedule(
                  () -> {
                    inFlight.decrementAndGet();
                    answer(ctx, HttpResponseStatus.OK, text);
                  },
                  100,
                  TimeUnit.MILLISECONDS);
        }
        case UNAVAILABLE -> answer(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, "down\n");
        case HANG -> {}
        case RESET -> reset(ctx);
        case HEAD_THEN_RESET, HEAD_THEN_STALL -> {
          String partial = "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial";
          ctx.pipeline().remove(HttpServerCodec.class); // raw bytes from here on
          ctx.writeAndFlush(Unpooled.copiedBuffer(partial, StandardCharsets.US_ASCII))
              .addListener(
                  f -> {
                    if (mode == Mode.HEAD_THEN_RESET) {
                      // Let the proxy forward what it has before the reset arrives.
                      ctx.executor().schedule(() -> reset(ctx), 50, TimeUnit.MILLISECONDS);
                    }
                  });
        }
      }
    }

    private void answer(ChannelHandlerContext ctx, HttpResponseStatus status, String text) {
      byte[] out = text.getBytes(StandardCharsets.UTF_8);
      FullHttpResponse r =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, Unpooled.wrappedBuffer(out));
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, out.length).set("x-backend", name);
      ctx.writeAndFlush(r);
    }

    private void reset(ChannelHandlerContext ctx) {
      ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
      ctx.close();
    }
  }

  /** Stops accepting and closes every open connection, like a pod that went away. */
  @Override
  public synchronized void close() {
    if (server == null) {
      return;
    }
    server.close().syncUninterruptibly();
    server = null;
    open.forEach(Channel::close);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
