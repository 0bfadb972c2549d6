package io.portcullis.dataplane.health;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
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
import io.netty.util.concurrent.GlobalEventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback backend that misbehaves on demand. Requests to {@link #HEALTH_PATH} get
 * {@link #healthStatus}; every other request is served by {@link #mode}: answer 200 or 503 with the
 * backend's name as the body, reset the connection halfway through a 200, or never answer.
 */
final class FaultyBackend implements AutoCloseable {
  static final String HEALTH_PATH = "/healthz";

  /** A {@link #healthStatus} that makes health checks hang instead. */
  static final int HANG_HEALTH = 0;

  enum Mode { OK, STATUS_503, RESET_MID_RESPONSE, HANG }

  final String name;
  volatile Mode mode;
  volatile int healthStatus = 200;
  /** Requests other than health checks. */
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger healthChecks = new AtomicInteger();
  volatile String lastHealthHost;
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel server;
  /** Accepted connections: closing the loop group does not always close them at once. */
  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);

  FaultyBackend(String name, Mode mode) {
    this(name, mode, null);
  }

  /** @param tls a server context: the backend speaks HTTPS */
  FaultyBackend(String name, Mode mode, io.netty.handler.ssl.SslContext tls) {
    this.name = name;
    this.mode = mode;
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    connections.add(ch);
                    if (tls != null) {
                      ch.pipeline().addLast(tls.newHandler(ch.alloc()));
                    }
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(1 << 16))
                        .addLast(new App());
                  }
                })
            .bind("127.0.0.1", 0)
            .syncUninterruptibly()
            .channel();
  }

  int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** A loopback port nobody listens on: connecting to it is refused. */
  static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private final class App extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      if (req.uri().equals(HEALTH_PATH)) {
        healthChecks.incrementAndGet();
        lastHealthHost = req.headers().get(HttpHeaderNames.HOST);
        int status = healthStatus;
        if (status != HANG_HEALTH) {
          respond(ctx, HttpResponseStatus.valueOf(status));
        }
        return;
      }
      requests.incrementAndGet();
      switch (mode) {
        case OK -> respond(ctx, HttpResponseStatus.OK);
        case STATUS_503 -> respond(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE);
        case HANG -> { }
        case RESET_MID_RESPONSE -> {
          // Linger 0: close() sends RST instead of FIN, like a crashing process.
          ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
          ctx.writeAndFlush(
                  Unpooled.copiedBuffer(
                      "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\npartial body",
                      StandardCharsets.US_ASCII))
              .addListener(ChannelFutureListener.CLOSE);
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close(); // refused handshakes and resets are what these tests provoke
    }

    private void respond(ChannelHandlerContext ctx, HttpResponseStatus status) {
      FullHttpResponse r =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, status, Unpooled.copiedBuffer(name, StandardCharsets.UTF_8));
      r.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.content().readableBytes());
      ctx.writeAndFlush(r);
    }
  }

  @Override
  public void close() {
    server.close().syncUninterruptibly();
    connections.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
