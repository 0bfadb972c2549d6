package io.portcullis.dataplane.admin;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufOutputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
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
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.timeout.ReadTimeoutHandler;
import io.portcullis.dataplane.http.AdminEndpoint;
import io.portcullis.dataplane.config.LiveConfig;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin listener: {@code /ready} (200 once a snapshot is applied, 503 before), {@code
 * /healthz} (200 while the process runs), {@code /metrics} (Prometheus text format), {@code
 * /clusters} (JSON: every cluster and endpoint with its state, see {@link ClustersView}). GET and
 * HEAD only.
 *
 * <p>It runs on its own single-threaded event loop so a slow scraper or probe never shares a
 * thread with proxied traffic, and a busy proxy never delays a readiness probe.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

  /** Admin requests carry no body; anything larger than this is refused with 413. */
  static final int MAX_REQUEST_BYTES = 8 * 1024;

  /** A connection that sends nothing for this long is closed (probes reconnect cheaply). */
  static final int IDLE_TIMEOUT_SECONDS = 60;

  private final String bindAddress;
  private final int port;
  private final LiveConfig config;
  private final ProxyMetrics metrics;
  private final ClustersView clusters;
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
  private EventLoopGroup group;
  private Channel serverChannel;
  private volatile java.util.function.BooleanSupplier draining = () -> false;
  private final java.util.Map<String, AdminEndpoint> endpoints =
      new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * @param bindAddress address to listen on, e.g. {@code 0.0.0.0}
   * @param port port to listen on; 0 picks a free one (see {@link #start()})
   */
  public AdminServer(String bindAddress, int port, LiveConfig config, ProxyMetrics metrics) {
    this(bindAddress, port, config, metrics, new ClustersView(config, null));
  }

  /** With the {@code /clusters} view (which may show health check counts). */
  public AdminServer(
      String bindAddress, int port, LiveConfig config, ProxyMetrics metrics, ClustersView clusters) {
    this.bindAddress = bindAddress;
    this.port = port;
    this.config = config;
    this.metrics = metrics;
    this.clusters = clusters;
  }

  /** Adds a feature's endpoint at {@code path} (it checks its own methods). */
  public AdminServer endpoint(String path, AdminEndpoint endpoint) {
    endpoints.put(path, java.util.Objects.requireNonNull(endpoint));
    return this;
  }

  /** While {@code draining} says so, {@code /ready} answers 503 whatever the config. */
  public void drainingWhen(java.util.function.BooleanSupplier draining) {
    this.draining = java.util.Objects.requireNonNull(draining);
  }

  /**
   * Binds the listener.
   *
   * @return the port actually bound
   */
  public synchronized int start() {
    if (serverChannel != null) {
      throw new IllegalStateException("already started");
    }
    group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    try {
      serverChannel =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .option(ChannelOption.SO_REUSEADDR, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline()
                          .addLast("idle", new ReadTimeoutHandler(IDLE_TIMEOUT_SECONDS))
                          .addLast("http", new HttpServerCodec())
                          .addLast("keep-alive", new HttpServerKeepAliveHandler())
                          .addLast("aggregate", new HttpObjectAggregator(MAX_REQUEST_BYTES))
                          .addLast("admin", new AdminHandler());
                    }
                  })
              .bind(new InetSocketAddress(bindAddress, port))
              .syncUninterruptibly()
              .channel();
    } catch (Exception e) { // Netty rethrows the checked BindException undeclared
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      group = null;
      throw new IllegalStateException(
          "cannot bind the admin port " + bindAddress + ":" + port + ": " + e.getMessage(), e);
    }
    return port();
  }

  /** The bound port, or -1 before {@link #start()}. */
  public synchronized int port() {
    return serverChannel == null
        ? -1
        : ((InetSocketAddress) serverChannel.localAddress()).getPort();
  }

  @Override
  public synchronized void close() {
    if (serverChannel != null) {
      serverChannel.close().syncUninterruptibly();
      serverChannel = null;
    }
    if (group != null) {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
      group = null;
    }
  }

  private final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      if (!request.decoderResult().isSuccess()) {
        send(ctx, request, text(HttpResponseStatus.BAD_REQUEST, "bad request\n"), true);
        return;
      }
      AdminEndpoint extra = endpoints.get(new QueryStringDecoder(request.uri()).path());
      if (extra != null) {
        send(ctx, request, extra.handle(request), false);
        return;
      }
      HttpMethod method = request.method();
      if (!HttpMethod.GET.equals(method) && !HttpMethod.HEAD.equals(method)) {
        FullHttpResponse response =
            text(HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n");
        response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
        send(ctx, request, response, false);
        return;
      }
      String path = new QueryStringDecoder(request.uri()).path();
      FullHttpResponse response =
          switch (path) {
            case "/ready" -> draining.getAsBoolean()
                ? text(HttpResponseStatus.SERVICE_UNAVAILABLE, "draining\n")
                : config.isReady()
                ? text(HttpResponseStatus.OK, "ready\n")
                : text(HttpResponseStatus.SERVICE_UNAVAILABLE, "no snapshot applied yet\n");
            case "/healthz" -> text(HttpResponseStatus.OK, "ok\n");
            case "/metrics" -> metrics(ctx);
            case "/clusters" -> clusters();
            default -> text(HttpResponseStatus.NOT_FOUND, "not found\n");
          };
      send(ctx, request, response, false);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // Resets and read timeouts are normal for probes; nothing worth more than debug.
      log.debug("admin connection {} closed: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }

    private FullHttpResponse metrics(ChannelHandlerContext ctx) {
      ByteBuf body = ctx.alloc().buffer(4096);
      try (ByteBufOutputStream out = new ByteBufOutputStream(body)) {
        writer.write(out, metrics.registry().scrape());
      } catch (IOException | RuntimeException e) {
        body.release();
        log.warn("cannot write metrics: {}", e.toString());
        return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write metrics\n");
      }
      FullHttpResponse response =
          new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, writer.getContentType());
      return response;
    }
  }

  private FullHttpResponse clusters() {
    byte[] body;
    try {
      body = clusters.json();
    } catch (RuntimeException e) {
      log.warn("cannot write /clusters: {}", e.toString());
      return text(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot write clusters\n");
    }
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.OK, Unpooled.wrappedBuffer(body));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
    return response;
  }

  private static FullHttpResponse text(HttpResponseStatus status, String body) {
    FullHttpResponse response =
        new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1,
            status,
            Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
    return response;
  }

  /** Writes {@code response}; for HEAD the headers say how long the body would be, none is sent. */
  private static void send(
      ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean close) {
    int length = response.content().readableBytes();
    FullHttpResponse out = response;
    if (HttpMethod.HEAD.equals(request.method())) {
      out = response.replace(Unpooled.EMPTY_BUFFER);
      response.release();
    }
    out.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
    out.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
    if (close) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(out).addListener(ChannelFutureListener.CLOSE);
    } else {
      HttpUtil.setKeepAlive(out, HttpUtil.isKeepAlive(request));
      ctx.writeAndFlush(out);
    }
  }
}
