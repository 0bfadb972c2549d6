package io.portcullis.operator.stream;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.transport.StreamPipeline;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator's end of the snapshot stream (protocol v1): an HTTP/2 server on which every
 * dataplane holds one {@code POST /v1/stream}. Without an {@link SslContext} it speaks h2c with
 * prior knowledge (local mode and tests only: snapshots carry private keys). With one, each new
 * connection takes the context the supplier hands out at that moment, so a rotated certificate
 * reaches new handshakes while open streams carry on.
 */
public final class StreamServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamServer.class);

  /** Default PING interval; a connection silent for three of them is closed. */
  public static final long DEFAULT_KEEPALIVE_MILLIS = 10_000;

  /** Largest dataplane message (hello, ack, nack) accepted: they are small; anything bigger is hostile. */
  public static final int MAX_INBOUND_MESSAGE_BYTES = 1024 * 1024;

  /** Dataplanes open one stream each; a few spare for a reconnect racing its old stream. */
  static final int MAX_CONCURRENT_STREAMS = 4;

  private final SnapshotStore store;
  private final InetSocketAddress bind;
  private final Supplier<SslContext> tls;
  private final long keepaliveMillis;
  private final Set<StreamSession> sessions = ConcurrentHashMap.newKeySet();
  /** Encodings the sessions have in flight, shared between dataplanes at the same version. */
  private final SharedFrames frames = new SharedFrames();
  private final AtomicLong nonces = new AtomicLong();
  private final AtomicLong refusedHandshakes = new AtomicLong();
  private final String noncePrefix = Long.toString(System.nanoTime() & 0xffffff, 36) + "-";
  // Closed explicitly on close(): a terminating event loop does not reliably close its sockets.
  private final ChannelGroup connections = new DefaultChannelGroup(ImmediateEventExecutor.INSTANCE);
  // One subscription per server; sessions come and go without touching the store's list.
  private final Consumer<Snapshot> fanOut = snapshot -> sessions.forEach(StreamSession::published);
  private EventLoopGroup group;
  private Channel serverChannel;

  /** A plaintext (h2c) server. */
  public StreamServer(SnapshotStore store, InetSocketAddress bind) {
    this(store, bind, null, DEFAULT_KEEPALIVE_MILLIS);
  }

  /**
   * @param sslContext a fixed server TLS context with ALPN {@code h2}, or null for h2c
   * @param keepaliveMillis PING interval; a dataplane silent for three is dropped, and a stream
   *     that sent no hello within one is reset
   */
  public StreamServer(
      SnapshotStore store, InetSocketAddress bind, SslContext sslContext, long keepaliveMillis) {
    this(store, bind, keepaliveMillis, sslContext == null ? null : () -> sslContext);
  }

  /**
   * A TLS server whose certificate can rotate.
   *
   * @param tls hands out the current server TLS context (ALPN {@code h2}, client certificates
   *     required, see {@code ControlChannelTls.server}) for each new connection
   */
  public static StreamServer withTls(
      SnapshotStore store, InetSocketAddress bind, Supplier<SslContext> tls, long keepaliveMillis) {
    return new StreamServer(store, bind, keepaliveMillis, java.util.Objects.requireNonNull(tls, "tls"));
  }

  private StreamServer(
      SnapshotStore store, InetSocketAddress bind, long keepaliveMillis, Supplier<SslContext> tls) {
    this.store = store;
    this.bind = bind;
    this.tls = tls;
    this.keepaliveMillis = keepaliveMillis;
  }

  /**
   * Binds and serves in the background.
   *
   * @return the bound port
   * @throws IllegalStateException when the address cannot be bound (the cause says why)
   */
  public synchronized int start() {
    if (serverChannel != null) {
      throw new IllegalStateException("already started");
    }
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    ServerBootstrap bootstrap = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            connections.add(ch);
            configureTls(ch);
            configureHttp2(ch);
          }
        });
    ChannelFuture binding = bootstrap.bind(bind).awaitUninterruptibly();
    if (!binding.isSuccess()) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      group = null;
      throw new IllegalStateException(
          "cannot listen for dataplanes on " + bind + ": " + binding.cause().getMessage(),
          binding.cause());
    }
    serverChannel = binding.channel();
    store.subscribe(fanOut);
    int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    log.info("snapshot stream listening on {}:{} ({})",
        bind.getHostString(), port, tls == null ? "h2c" : "TLS, client certificates required");
    return port;
  }

  /** TLS handshakes that failed since start (peers without a certificate from our CA, mostly). */
  public long refusedHandshakes() {
    return refusedHandshakes.get();
  }

  /** Number of open dataplane streams. */
  public int sessionCount() {
    return sessions.size();
  }

  @Override
  public synchronized void close() {
    if (serverChannel == null) {
      return;
    }
    store.unsubscribe(fanOut);
    serverChannel.close().syncUninterruptibly();
    connections.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    serverChannel = null;
    group = null;
    log.info("snapshot stream stopped");
  }

  private void configureTls(SocketChannel ch) {
    if (tls != null) {
      StreamPipeline.tls(ch, tls.get().newHandler(ch.alloc()), cause -> {
        // No certificate, one from another CA, or a client that distrusts ours. Debug only:
        // anyone can reach the port, so this must not become a log flood.
        refusedHandshakes.incrementAndGet();
        log.debug("TLS handshake with {} failed: {}", ch.remoteAddress(), cause.toString());
      });
    }
  }

  private void configureHttp2(SocketChannel ch) {
    Http2Settings settings = Http2Settings.defaultSettings()
        .maxConcurrentStreams(MAX_CONCURRENT_STREAMS);
    StreamPipeline.http2Server(ch, settings, keepaliveMillis,
        new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            StreamSession[] self = new StreamSession[1];
            self[0] = new StreamSession(
                store, frames, () -> noncePrefix + nonces.incrementAndGet(), MAX_INBOUND_MESSAGE_BYTES,
                keepaliveMillis, () -> sessions.remove(self[0]));
            sessions.add(self[0]);
            stream.pipeline().addLast("session", self[0]);
          }
        });
  }

  /** Encodings the sessions have in flight now (tests: none is kept once all are answered). */
  int sharedFramesInFlight() {
    return frames.size();
  }
}
