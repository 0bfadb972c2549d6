package io.portcullis.dataplane.proxy;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.Mapping;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.clientaddress.ConnectionAdmission;
import io.portcullis.dataplane.cluster.ConnectionKeys;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.h2.Http2Connections;
import io.portcullis.dataplane.tls.ClientCertificateSniHandler;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.tls.HandshakeMetricsHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proxy listeners: HTTP/1.1 and h2c (prior knowledge) on the plain port, HTTP/1.1 and HTTP/2
 * (ALPN) on the TLS one. {@link #start()} binds the plain one; {@link #startHttps} adds the
 * TLS one on the same event loops and upstream pools; {@link #close()} stops accepting, closes
 * idle client connections, lets in-flight requests finish within the grace period, then stops the
 * event loops.
 */
public final class ProxyServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ProxyServer.class);

  private final ProxySettings settings;
  private final Router router;
  private final ProxyMetrics metrics;
  private final Transport transport;
  private EventLoopGroup group;
  private volatile UpstreamConnector connector;
  private Channel serverChannel;
  private Channel httpsChannel;
  private ChannelGroup clients;
  private ConnectionAdmission admission;
  private ConnectionHooks hooks = ConnectionHooks.NONE;

  /** Longest TLS ClientHello the SNI handler buffers (post-quantum key shares make them large). */
  static final int MAX_CLIENT_HELLO_BYTES = 64 * 1024;

  /** Time a client has to send its ClientHello, in milliseconds. */
  static final long CLIENT_HELLO_TIMEOUT_MILLIS = 10_000;

  public ProxyServer(ProxySettings settings, LiveConfig config, ProxyMetrics metrics) {
    this(settings, Router.of(config), metrics);
    config.onApplied(this::configApplied);
  }

  /** The connection keys of the applied config's clusters; only {@link #configApplied} uses it. */
  private final ConnectionKeys pooledKeys = new ConnectionKeys();

  /**
   * Idle connections to endpoints that left every cluster close; the others stay pooled. Runs
   * inside the config's apply, so it looks only at the clusters the delta names.
   */
  private void configApplied(RuntimeConfig applied) {
    ConnectionKeys.Retired retired = pooledKeys.follow(applied.snapshot(), applied.change());
    UpstreamConnector c = connector;
    if (c != null) {
      c.retire(retired);
    }
  }

  /** With any router; tests use fixed decisions. */
  public ProxyServer(ProxySettings settings, Router router, ProxyMetrics metrics) {
    this.settings = settings;
    this.router = router;
    this.metrics = metrics;
    this.transport = settings.transport();
  }

  /** Observers added to every client connection (byte counts, access log). Call before start. */
  public synchronized ProxyServer hooks(ConnectionHooks hooks) {
    this.hooks = java.util.Objects.requireNonNull(hooks);
    return this;
  }

  /** Binds the listener and returns the bound port (useful with port 0). */
  public synchronized int start() {
    if (serverChannel != null) {
      throw new IllegalStateException("already started");
    }
    group = new MultiThreadIoEventLoopGroup(settings.workerThreads(), transport.ioHandlerFactory());
    connector = new UpstreamConnector(group, transport, settings);
    clients = new DefaultChannelGroup("proxy-clients", GlobalEventExecutor.INSTANCE);
    admission = new ConnectionAdmission(
        settings.clientAddresses(), settings.headerReadTimeout(), metrics.registry());
    ProxyChannelInitializer initializer =
        new ProxyChannelInitializer(settings, router, metrics, connector, clients, admission)
            .hooks(hooks);
    try {
      serverChannel = bind(initializer, settings.port());
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
      group = null;
      throw e;
    }
    int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();
    log.info("proxy listening on {}:{} ({})", settings.bindAddress(), port, transport.name());
    return port;
  }

  /** Both listeners share the event loops, the upstream pools and these socket options. */
  private Channel bind(ProxyChannelInitializer initializer, int port) {
    return new ServerBootstrap()
        .group(group)
        .channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.SO_KEEPALIVE, true)
        .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
        .childHandler(initializer)
        .bind(settings.bindAddress(), port)
        .syncUninterruptibly()
        .channel();
  }

  /**
   * Binds the HTTPS listener on {@code port} (0: any): SNI picks the certificate through
   * {@code certificates} for each new connection, ALPN picks HTTP/2 or HTTP/1.1, then the same
   * proxy logic runs with scheme {@code https}. Call after {@link #start()}.
   *
   * @return the bound port
   */
  public synchronized int startHttps(int port, Mapping<String, SslContext> certificates) {
    if (serverChannel == null) {
      throw new IllegalStateException("start() the plain listener first");
    }
    if (httpsChannel != null) {
      throw new IllegalStateException("HTTPS already started");
    }
    HandshakeMetricsHandler handshakeMetrics = new HandshakeMetricsHandler(metrics);
    ProxyChannelInitializer initializer =
        new ProxyChannelInitializer(settings, router, metrics, connector, clients, admission) {
          @Override
          protected void configureTls(io.netty.channel.ChannelPipeline pipeline) {
            pipeline.addLast("sni", new ClientCertificateSniHandler(
                certificates, MAX_CLIENT_HELLO_BYTES, CLIENT_HELLO_TIMEOUT_MILLIS));
            pipeline.addLast("tls-metrics", handshakeMetrics);
          }

          @Override
          protected String scheme() {
            return "https";
          }
        }.hooks(hooks);
    httpsChannel = bind(initializer, port);
    int bound = ((InetSocketAddress) httpsChannel.localAddress()).getPort();
    log.info("proxy listening for HTTPS on {}:{}", settings.bindAddress(), bound);
    return bound;
  }

  /** The worker event loops (after {@link #start()}), for clients that share them: health checks. */
  public EventLoopGroup workerGroup() {
    return group;
  }

  /** The client socket channel type that goes with {@link #workerGroup()}. */
  public Class<? extends Channel> clientChannelType() {
    return transport.clientChannel();
  }

  /** The bound HTTPS port, or -1 when there is no HTTPS listener. */
  public int httpsPort() {
    Channel ch = httpsChannel;
    return ch == null ? -1 : ((InetSocketAddress) ch.localAddress()).getPort();
  }

  /** The bound port, or -1 before {@link #start()}. */
  public int port() {
    Channel ch = serverChannel;
    return ch == null ? -1 : ((InetSocketAddress) ch.localAddress()).getPort();
  }

  /**
   * Sends GOAWAY to every HTTP/2 client connection: clients open no new streams there and move to
   * a new connection; the streams in flight finish (within the shutdown grace period), then the
   * connection closes. HTTP/1.1 connections are not affected. Safe from any thread; returns at
   * once. For a drain before shutdown.
   */
  public void goAwayAll() {
    ChannelGroup all = clients;
    if (all == null) {
      return;
    }
    for (Channel client : all) {
      client.pipeline().fireUserEventTriggered(Http2Connections.GO_AWAY);
    }
  }

  /** Graceful stop; blocks up to the grace period plus a little. Never call from an event loop. */
  @Override
  public synchronized void close() {
    if (serverChannel == null) {
      return;
    }
    serverChannel.close().syncUninterruptibly();
    if (httpsChannel != null) {
      httpsChannel.close().syncUninterruptibly();
      httpsChannel = null;
    }
    for (Channel client : clients) {
      client.pipeline().fireUserEventTriggered(ProxyHandler.DRAIN);
    }
    goAwayAll();
    connector.closeIdle();
    long deadline = System.nanoTime() + settings.shutdownGracePeriod().toNanos();
    while (!clients.isEmpty() && System.nanoTime() < deadline) {
      clients.newCloseFuture().awaitUninterruptibly(50, TimeUnit.MILLISECONDS);
    }
    clients.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    serverChannel = null;
  }
}
