package io.portcullis.dataplane.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.portcullis.dataplane.admin.ProxyMetrics;
import java.util.concurrent.TimeUnit;

/**
 * Builds a client connection's pipeline in small steps with named handlers:
 * {@code [tls] -> header-timeout -> idle -> http-codec -> validation -> proxy}.
 */
class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {
  static final String HEADER_TIMEOUT = "header-timeout";
  static final String IDLE = "idle";
  static final String HTTP_CODEC = "http-codec";
  static final String VALIDATION = "validation";
  static final String PROXY = "proxy";

  private final ProxySettings settings;
  private final Router router;
  private final ProxyMetrics metrics;
  private final UpstreamConnector connector;
  private final ChannelGroup clients;
  private ConnectionHooks hooks = ConnectionHooks.NONE;

  /**
   * @param clients every accepted connection joins it, so a shutdown can reach them all
   */
  ProxyChannelInitializer(
      ProxySettings settings,
      Router router,
      ProxyMetrics metrics,
      UpstreamConnector connector,
      ChannelGroup clients) {
    this.settings = settings;
    this.router = router;
    this.metrics = metrics;
    this.connector = connector;
    this.clients = clients;
  }

  /** Observers (byte counts, access log) added to every connection; set before any accept. */
  ProxyChannelInitializer hooks(ConnectionHooks hooks) {
    this.hooks = hooks;
    return this;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    clients.add(ch);
    ChannelPipeline p = ch.pipeline();
    hooks.connectionOpened(p);
    configureTls(p);
    configureHttp1(p);
  }

  /** Seam for issue 3 (TLS, ALPN): adds nothing on a plain-text listener. */
  protected void configureTls(ChannelPipeline pipeline) {}

  /** {@code http} here; a TLS listener says {@code https}. */
  protected String scheme() {
    return "http";
  }

  protected void configureHttp1(ChannelPipeline p) {
    HttpDecoderConfig decoder =
        new HttpDecoderConfig()
            .setMaxInitialLineLength(settings.maxInitialLineLength())
            .setMaxHeaderSize(settings.maxHeaderSize())
            .setMaxChunkSize(UpstreamConnector.MAX_CHUNK_SIZE)
            .setValidateHeaders(true)
            .setStrictLineParsing(true)
            // Refuses Content-Length together with Transfer-Encoding (request smuggling).
            .setUseRfc9112TransferEncoding(true)
            .setAllowDuplicateContentLengths(false);
    p.addLast(
        HEADER_TIMEOUT,
        new HeaderReadTimeoutHandler(settings.headerReadTimeout().toNanos(), metrics));
    p.addLast(
        IDLE,
        new IdleStateHandler(
            0, 0, settings.downstreamIdleTimeout().toNanos(), TimeUnit.NANOSECONDS));
    p.addLast(HTTP_CODEC, new HttpServerCodec(decoder));
    hooks.afterHttp1Codec(p);
    p.addLast(VALIDATION, new RequestValidationHandler(settings.maxRequestBodyBytes(), metrics));
    p.addLast(PROXY, new ProxyHandler(settings, router, metrics, connector, scheme()));
  }
}
