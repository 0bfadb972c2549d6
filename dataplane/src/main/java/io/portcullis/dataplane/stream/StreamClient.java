package io.portcullis.dataplane.stream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.snapshot.StreamMessage;
import io.portcullis.transport.ControlPlaneTls;
import io.portcullis.transport.StreamPipeline;
import java.net.URI;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dataplane's end of the snapshot stream (protocol v1). Holds one HTTP/2 stream to the
 * operator, applies what arrives, and reconnects forever with jittered exponential back-off while
 * the last good config keeps serving. Its hello names the version it has, so a reconnect to an
 * operator with the same version resends nothing.
 *
 * <p>{@code https://} URLs use mutually authenticated TLS (the client TLS context in
 * {@link StreamClientSettings}, usually from {@link ControlPlaneTls}): the operator's certificate
 * is verified against the control channel CA and the URL's host name. {@code http://} (h2c with
 * prior knowledge) is refused unless the host is loopback: snapshots carry private keys.
 */
public final class StreamClient implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StreamClient.class);

  /** Per-stream receive window: large snapshots flow without a WINDOW_UPDATE per 64 KiB. */
  static final int STREAM_WINDOW_BYTES = 4 * 1024 * 1024;

  private final URI controlPlane;
  private final String nodeId;
  private final LiveConfig config;
  private final ProxyMetrics metrics;
  private final StreamClientSettings settings;
  private final ConfigApplier applier;
  private final String host;
  private final int port;
  private final AtomicLong messages = new AtomicLong();
  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong handshakeFailures = new AtomicLong();
  private final List<Consumer<StreamMessage>> messageListeners = new CopyOnWriteArrayList<>();

  private volatile EventLoopGroup group;
  // Touched only on the event loop once started.
  private Backoff backoff;
  private volatile boolean connected;
  private volatile Channel connection;
  private volatile boolean closed;
  /** The last connect failure warned about, so an outage warns once, not on every retry. */
  private volatile String lastConnectFailure;

  public StreamClient(URI controlPlane, String nodeId, LiveConfig config, ProxyMetrics metrics) {
    this(controlPlane, nodeId, config, metrics, StreamClientSettings.defaults(),
        ConfigApplier.of(config));
  }

  public StreamClient(URI controlPlane, String nodeId, LiveConfig config, ProxyMetrics metrics,
      StreamClientSettings settings, ConfigApplier applier) {
    this.controlPlane = Objects.requireNonNull(controlPlane, "controlPlane");
    this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
    this.config = Objects.requireNonNull(config, "config");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.applier = Objects.requireNonNull(applier, "applier");
    String scheme = controlPlane.getScheme();
    if ("https".equals(scheme) && settings.tls() == null) {
      throw new IllegalArgumentException("https control plane needs a TLS context: " + controlPlane);
    }
    if (!"http".equals(scheme) && !"https".equals(scheme)) {
      throw new IllegalArgumentException("control plane must be http:// or https://: " + controlPlane);
    }
    if (controlPlane.getHost() == null) {
      throw new IllegalArgumentException("control plane URL has no host: " + controlPlane);
    }
    if ("http".equals(scheme) && !isLoopback(controlPlane.getHost())) {
      throw new IllegalArgumentException("plaintext control plane only on loopback (snapshots carry"
          + " private keys); use https:// with a client certificate: " + controlPlane);
    }
    this.host = controlPlane.getHost();
    this.port = controlPlane.getPort() > 0 ? controlPlane.getPort() : "https".equals(scheme) ? 443 : 80;
  }

  /** Starts connecting in the background; returns at once. */
  public synchronized void start() {
    if (group != null) {
      throw new IllegalStateException("already started");
    }
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    backoff = new Backoff(settings.initialBackoff(), settings.maxBackoff());
    group.execute(this::connect);
  }

  /** True while a stream to the operator is open and accepted. */
  public boolean isConnected() {
    return connected;
  }

  /** Snapshots and deltas received (applied or rejected) since start. */
  public long messagesReceived() {
    return messages.get();
  }

  /**
   * Called on the client's event loop after each snapshot or delta was applied or rejected (logs,
   * debugging, tests). Must not block.
   */
  public void onMessage(Consumer<StreamMessage> listener) {
    messageListeners.add(listener);
  }

  /** TLS handshakes with the operator that failed since start. */
  /** Why the last connect attempt failed, in words; empty once a stream was accepted. */
  public java.util.Optional<String> lastConnectFailure() {
    return java.util.Optional.ofNullable(lastConnectFailure);
  }

  public long handshakeFailures() {
    return handshakeFailures.get();
  }

  /** Streams the operator accepted since start (1 + reconnects). */
  public long connectionsEstablished() {
    return connections.get();
  }

  @Override
  public synchronized void close() {
    closed = true;
    if (group == null) {
      return;
    }
    Channel open = connection;
    if (open != null) {
      // Close the socket on its loop before the loop goes: the operator sees a clean goodbye.
      open.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    group = null;
  }

  private void connect() {
    if (closed) {
      return;
    }
    EventLoopGroup loop = group;
    if (loop == null) {
      return;
    }
    Bootstrap bootstrap = new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            SslContext tls = settings.sslContext();
            if (tls != null) {
              // With the peer host, the context verifies the operator's name (endpoint identification).
              // The handshake's outcome is watched once the TCP connect succeeded (see connect()):
              // a refused connect also fails the handshake future, and must not read as a TLS error.
              StreamPipeline.tls(ch, tls.newHandler(ch.alloc(), host, port), cause -> {});
            }
            Http2Settings http2 = Http2Settings.defaultSettings()
                .initialWindowSize(STREAM_WINDOW_BYTES)
                .pushEnabled(false);
            StreamPipeline.http2Client(ch, http2, settings.keepalive().toMillis());
          }
        });
    ChannelFuture connecting = bootstrap.connect(host, port);
    connection = connecting.channel();
    connecting.addListener(f -> {
      if (!f.isSuccess()) {
        connectFailed(f.cause());
        scheduleReconnect();
        return;
      }
      Channel ch = connecting.channel();
      SslHandler tlsHandler = ch.pipeline().get(SslHandler.class);
      if (tlsHandler != null) {
        tlsHandler.handshakeFuture().addListener(h -> {
          if (!h.isSuccess() && ch.isActive()) {
            handshakeFailures.incrementAndGet();
            // Warn: an untrusted operator certificate or a wrong host name needs a human.
            log.warn("TLS handshake with operator at {} failed: {}", controlPlane, rootMessage(h.cause()));
          }
        });
      }
      ch.closeFuture().addListener(c -> onDisconnected());
      StreamPipeline.widenConnectionWindow(ch, STREAM_WINDOW_BYTES);
      openStream(ch);
    });
  }

  private void openStream(Channel parent) {
    String scheme = settings.tls() == null ? "http" : "https";
    String authority = host + ":" + port;
    ClientSession session = new ClientSession(scheme, authority, nodeId, config, applier, metrics,
        settings.maxMessageBytes(), new ClientSession.Listener() {
          @Override
          public void accepted() {
            onAccepted();
          }

          @Override
          public void messageHandled(StreamMessage received) {
            messages.incrementAndGet();
            messageListeners.forEach(l -> l.accept(received));
          }
        });
    new Http2StreamChannelBootstrap(parent).handler(session).open().addListener(f -> {
      if (!f.isSuccess()) {
        log.debug("cannot open stream to {}: {}", controlPlane, f.cause().toString());
        parent.close();
      }
    });
  }

  /**
   * The operator cannot be reached: says why in words (connection refused, timed out, unknown
   * host), at WARN once per outage and reason, at DEBUG on every retry after that.
   */
  private void connectFailed(Throwable cause) {
    String reason = connectFailure(cause);
    if (!reason.equals(lastConnectFailure)) {
      lastConnectFailure = reason;
      log.warn("cannot reach operator at {}: {}; retrying with backoff, serving the last applied config",
          controlPlane, reason);
    } else {
      log.debug("cannot reach operator at {}: {}", controlPlane, reason);
    }
  }

  /** A connect failure as an operator reads it. */
  static String connectFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof java.net.ConnectException && !(t instanceof io.netty.channel.ConnectTimeoutException)) {
        return "connection refused (is the operator running and its Service reachable?)";
      }
      if (t instanceof io.netty.channel.ConnectTimeoutException
          || t instanceof java.net.SocketTimeoutException) {
        return "connect timed out";
      }
      if (t instanceof java.net.UnknownHostException) {
        return "unknown host " + t.getMessage();
      }
      if (t instanceof java.net.NoRouteToHostException) {
        return "no route to host";
      }
    }
    return rootMessage(cause);
  }

  // TLS engines wrap the useful reason ("No subject alternative names matching ...") in
  // generic ones ("General OpenSslEngine problem"): report the innermost.
  private static String rootMessage(Throwable error) {
    String message = error.toString();
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t.getMessage() != null) {
        message = t.getMessage();
      }
    }
    return message;
  }

  /** localhost or a loopback IP literal; never resolves a name. */
  public static boolean isLoopback(String host) {
    String h = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    if (h.equalsIgnoreCase("localhost")) {
      return true;
    }
    // Dotted-quad or IPv6 only: anything looser ("999.0.0.1") would make InetAddress ask DNS.
    boolean ipv4 = h.matches("(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)(\\.(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)){3}");
    boolean ipv6 = h.contains(":") && h.matches("[0-9a-fA-F:.]+");
    if (!ipv4 && !ipv6) {
      return false;
    }
    try {
      return java.net.InetAddress.getByName(h).isLoopbackAddress();
    } catch (java.net.UnknownHostException e) {
      return false;
    }
  }

  private void onAccepted() {
    backoff.reset();
    lastConnectFailure = null;
    connections.incrementAndGet();
    if (!connected) {
      connected = true;
      log.info("connected to operator at {} as {}", controlPlane, nodeId);
    }
  }

  private void onDisconnected() {
    if (connected) {
      connected = false;
      log.info("disconnected from operator at {}; serving the last applied config meanwhile",
          controlPlane);
    }
    scheduleReconnect();
  }

  private void scheduleReconnect() {
    if (closed) {
      return;
    }
    EventLoopGroup loop = group;
    if (loop == null) {
      return;
    }
    long delay = backoff.nextDelayMillis();
    log.debug("reconnecting to {} in {} ms", controlPlane, delay);
    try {
      loop.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // Shutting down.
    }
  }
}
