package io.portcullis.dataplane.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.ImmediateEventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A Netty server on loopback with its own one-thread event loop: the part every test server
 * shares. The caller only sets up each accepted connection's pipeline.
 */
public final class LoopbackServer implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
  private final Channel server;
  private boolean closed;

  private LoopbackServer(int port, Consumer<SocketChannel> setUp) {
    try {
      server =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      connections.add(ch);
                      setUp.accept(ch);
                    }
                  })
              .bind("127.0.0.1", port)
              .syncUninterruptibly()
              .channel();
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** Listens on a free port; {@code setUp} builds the pipeline of each accepted connection. */
  public static LoopbackServer start(Consumer<SocketChannel> setUp) {
    return new LoopbackServer(0, setUp);
  }

  /** Listens on {@code port} (0: a free one). */
  public static LoopbackServer start(int port, Consumer<SocketChannel> setUp) {
    return new LoopbackServer(port, setUp);
  }

  public int port() {
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  /** A loopback port nobody listens on: connecting to it is refused. */
  public static int closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Stops accepting, then closes every open connection, like a pod that went away. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
