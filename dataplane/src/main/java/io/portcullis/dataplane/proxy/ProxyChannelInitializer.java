package io.portcullis.dataplane.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.clientaddress.ConnectionAdmission;
import io.portcullis.dataplane.h2.AlpnSwitch;
import io.portcullis.dataplane.h2.CleartextPrefaceDetector;
import io.portcullis.dataplane.h2.Http2Connections;
import io.portcullis.dataplane.h2.Http2RequestHeaders;
import io.portcullis.dataplane.h2.Http2RequestRules;
import io.portcullis.dataplane.h2.Http2StreamErrors;
import io.portcullis.dataplane.http.IdleTimeout;

/**
 * Builds a client connection's pipeline in small steps with named handlers. HTTP/1.1:
 * {@code [proxy-protocol] -> [tls -> alpn] | h2c-detect -> header-timeout -> idle -> http-codec -> validation -> proxy}.
 * HTTP/2 (ALPN {@code h2}, or the h2c preface on the plain port): the connection gets {@link
 * Http2Connections}' handlers and each stream {@code http-codec (h2 <-> HTTP/1.x objects) ->
 * h2-request -> validation -> proxy}, so both protocols share the proxy logic.
 */
class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {
  static final String HEADER_TIMEOUT = "header-timeout";
  static final String IDLE = "idle";
  static final String FRAMING_GUARD = "framing-guard";
  static final String HTTP_CODEC = "http-codec";
  static final String VALIDATION = "validation";
  static final String PROXY = "proxy";
  static final String ALPN = "alpn";
  static final String H2C_DETECT = "h2c-detect";
  static final String H2_REQUEST = "h2-request";
  static final String H2_ERRORS = "h2-errors";
  static final String H2_RULES = "h2-rules";

  /** Stateless and sharable: one for every stream. */
  private static final Http2StreamFrameToHttpObjectCodec STREAM_CODEC =
      new Http2StreamFrameToHttpObjectCodec(true);

  private final ProxySettings settings;
  private final Router router;
  private final ProxyMetrics metrics;
  private final UpstreamConnector connector;
  private final ChannelGroup clients;
  private final ConnectionAdmission admission;
  private ConnectionHooks hooks = ConnectionHooks.NONE;
  private final ChannelInitializer<Http2StreamChannel> streamInitializer =
      new ChannelInitializer<>() {
        @Override
        protected void initChannel(Http2StreamChannel ch) {
          configureStream(ch.pipeline());
        }
      };

  /**
   * @param clients every accepted connection joins it, so a shutdown can reach them all
   * @param admission the PROXY protocol header and the per-client connection limit, first of all
   */
  ProxyChannelInitializer(
      ProxySettings settings,
      Router router,
      ProxyMetrics metrics,
      UpstreamConnector connector,
      ChannelGroup clients,
      ConnectionAdmission admission) {
    this.settings = settings;
    this.router = router;
    this.metrics = metrics;
    this.connector = connector;
    this.clients = clients;
    this.admission = admission;
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
    if (!admission.admit(ch)) {
      return; // over the per-client limit: closed before TLS
    }
    configureTls(p);
    if ("https".equals(scheme())) {
      p.addLast(ALPN, new AlpnSwitch(this::configureHttp1, this::configureHttp2));
    } else {
      p.addLast(H2C_DETECT, new CleartextPrefaceDetector(this::switchToHttp2));
      configureHttp1(p);
    }
  }

  /** Seam for issue 3 (TLS, ALPN): adds nothing on a plain-text listener. */
  protected void configureTls(ChannelPipeline pipeline) {}

  /** Shared by every exchange of this listener (made on first use: {@link #scheme} may differ). */
  private volatile ExchangeServices services;

  private ExchangeServices services() {
    ExchangeServices s = services;
    if (s == null) {
      s = new ExchangeServices(settings, metrics, connector, scheme(), router);
      services = s;
    }
    return s;
  }

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
        new IdleTimeout(settings.downstreamIdleTimeout().toNanos()));
    p.addLast(
        FRAMING_GUARD,
        new Http1FramingGuard(settings.maxInitialLineLength() + settings.maxHeaderSize()));
    p.addLast(HTTP_CODEC, new HttpServerCodec(decoder));
    hooks.afterHttp1Codec(p);
    p.addLast(VALIDATION, new RequestValidationHandler(settings.maxRequestBodyBytes(), metrics));
    p.addLast(PROXY, new ProxyHandler(services(), router, false));
  }

  /** An h2c preface arrived: the HTTP/1.1 handlers (which saw no request) make way for HTTP/2. */
  private void switchToHttp2(ChannelPipeline p) {
    // The proxy handler counted the connection when it opened and leaves without seeing it close;
    // the HTTP/2 handlers count it from here on.
    metrics.connectionClosed();
    p.remove(HEADER_TIMEOUT);
    p.remove(IDLE);
    p.remove(FRAMING_GUARD);
    // Observers the hooks put after the HTTP/1.1 codec go too: each stream gets its own.
    java.util.List<String> names = p.names();
    for (int i = names.indexOf(HTTP_CODEC) + 1; i < names.indexOf(VALIDATION); i++) {
      p.remove(names.get(i));
    }
    p.remove(HTTP_CODEC);
    p.remove(VALIDATION);
    p.remove(PROXY);
    configureHttp2(p);
  }

  protected void configureHttp2(ChannelPipeline p) {
    Http2Connections.configure(p, settings.http2(), metrics, streamInitializer);
  }

  /** One HTTP/2 stream: the same validation and proxy logic as an HTTP/1.1 connection. */
  protected void configureStream(ChannelPipeline p) {
    p.addLast(H2_ERRORS, Http2StreamErrors.INSTANCE);
    p.addLast(H2_RULES, new Http2RequestRules());
    p.addLast(HTTP_CODEC, STREAM_CODEC);
    hooks.afterHttp1Codec(p);
    p.addLast(H2_REQUEST, Http2RequestHeaders.INSTANCE);
    p.addLast(VALIDATION, new RequestValidationHandler(settings.maxRequestBodyBytes(), metrics));
    p.addLast(PROXY, new ProxyHandler(services(), router, true));
  }
}
