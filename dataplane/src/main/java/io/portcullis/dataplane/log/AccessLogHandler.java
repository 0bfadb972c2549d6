package io.portcullis.dataplane.log;

import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.util.AsciiString;
import io.netty.util.AttributeKey;
import io.portcullis.dataplane.clientaddress.ClientAddress;
import io.portcullis.dataplane.clientaddress.ForwardedFor;
import io.portcullis.dataplane.clientaddress.TrustedProxies;
import java.net.InetAddress;
import java.util.ArrayDeque;

/**
 * Watches one HTTP/1.x connection (or one HTTP/2 stream) right behind the codec and hands one {@link AccessLogEntry} per
 * request to the {@link AccessLog} once its response has been written (or the connection closed
 * first). What only the proxy knows (route, cluster, endpoint, upstream status and time, retries)
 * it reports through {@link #routed} just before it writes the response head.
 *
 * <p>Requests and responses pair up in order (HTTP/1.1 answers pipelined requests in order), so a
 * queue of the requests not yet answered is all the state there is.
 */
public final class AccessLogHandler extends ChannelDuplexHandler {
  private static final AttributeKey<RouteFacts> FACTS =
      AttributeKey.valueOf(AccessLogHandler.class, "facts");

  /** What nginx's {@code $server_protocol} says for HTTP/2. */
  static final String HTTP_2 = "HTTP/2.0";

  /** An AsciiString: its hash is computed once, a String name's on every lookup. */
  private static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");

  /** The client of a request whose connection has no address (nothing to log but this). */
  private static final String UNKNOWN = "unknown";

  private final AccessLog accessLog;
  private final TrustedProxies trustedProxies;
  private final ArrayDeque<Pending> pending = new ArrayDeque<>(2);
  /** The connection's address and its text, read at its first request. */
  private InetAddress peer;
  private String peerText;
  /** {@code HTTP/2.0} on an HTTP/2 stream, whose codec hands on requests marked HTTP/1.1. */
  private String streamProtocol;
  private RouteFacts facts;

  public AccessLogHandler(AccessLog accessLog) {
    this(accessLog, TrustedProxies.NONE);
  }

  /**
   * @param trustedProxies whose {@code X-Forwarded-For} names the client (the proxy's setting:
   *     the log shows the same client the filters and the backend saw)
   */
  public AccessLogHandler(AccessLog accessLog, TrustedProxies trustedProxies) {
    this.accessLog = accessLog;
    this.trustedProxies = trustedProxies;
  }

  /**
   * What the proxy decided for the request whose response head it writes next. Does nothing on a
   * connection without an access log. Event loop only.
   *
   * @param cluster null when nothing was forwarded
   * @param endpoint null when nothing was forwarded
   * @param upstreamStatus 0 when no backend answered
   * @param upstreamNanos request sent to response head; 0 when no backend answered
   */
  public static void routed(Channel channel, String route, String cluster, Object endpoint,
      int upstreamStatus, long upstreamNanos, int retries) {
    // attr() would add the attribute to every channel without a log: an allocation per HTTP/2 stream.
    RouteFacts f = channel.hasAttr(FACTS) ? channel.attr(FACTS).get() : null;
    if (f != null) {
      f.route = route;
      f.cluster = cluster;
      f.endpoint = endpoint;
      f.upstreamStatus = upstreamStatus;
      f.upstreamNanos = upstreamNanos;
      f.retries = retries;
    }
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    facts = new RouteFacts();
    ctx.channel().attr(FACTS).set(facts);
    streamProtocol = ctx.channel() instanceof Http2StreamChannel ? HTTP_2 : null;
  }

  /**
   * The request's client, resolved per request: a trusted proxy's connection carries requests of
   * many clients. The connection's own address is read at its first request, not when this handler
   * is added: a PROXY protocol header arrives after that, but always before any request.
   */
  private String client(ChannelHandlerContext ctx, HttpRequest request) {
    if (peerText == null) {
      peer = ClientAddress.of(ctx.channel());
      peerText = peer == null ? UNKNOWN : peer.getHostAddress();
    }
    InetAddress client = ForwardedFor.client(peer, request.headers(), trustedProxies);
    if (client == null) {
      return UNKNOWN;
    }
    return client == peer ? peerText : client.getHostAddress();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpRequest request) {
      // Read now: the proxy turns these headers into the upstream ones in place.
      String uri = request.uri();
      int q = uri.indexOf('?');
      Pending p = new Pending();
      p.startMillis = System.currentTimeMillis();
      p.startNanos = System.nanoTime();
      p.method = request.method().name();
      p.path = q < 0 ? uri : uri.substring(0, q);
      p.protocol = streamProtocol != null ? streamProtocol : request.protocolVersion().text();
      p.authority = request.headers().get(HttpHeaderNames.HOST);
      p.userAgent = request.headers().get(HttpHeaderNames.USER_AGENT);
      p.client = client(ctx, request);
      pending.add(p);
    }
    if (msg instanceof HttpContent content && !pending.isEmpty()) {
      pending.peekLast().bytesIn += content.content().readableBytes();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    Pending p = pending.peekFirst();
    if (p != null) {
      if (msg instanceof HttpResponse response) {
        int code = response.status().code();
        if (code >= 200 || code == 101) { // a 100 Continue is not the answer
          p.status = code;
          p.requestId = response.headers().get(X_REQUEST_ID);
          p.routed.takeFrom(facts);
        }
      }
      if (msg instanceof ByteBufHolder body && msg instanceof HttpContent) {
        p.bytesOut += body.content().readableBytes();
      }
      if (msg instanceof LastHttpContent
          || (msg instanceof HttpResponse r && r.status().code() == 101)) {
        pending.poll();
        emit(p);
      }
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    // Closed before these were answered in full: logged with what was sent (status 0 if nothing).
    Pending p;
    while ((p = pending.poll()) != null) {
      emit(p);
    }
    ctx.fireChannelInactive();
  }

  private void emit(Pending p) {
    accessLog.log(new AccessLogEntry(
        p.startMillis,
        p.requestId,
        p.client,
        p.method,
        p.authority,
        p.path,
        p.protocol,
        p.status,
        p.routed.route == null ? "none" : p.routed.route,
        p.routed.cluster,
        p.routed.endpoint,
        p.routed.upstreamStatus,
        (System.nanoTime() - p.startNanos) / 1e6,
        p.routed.upstreamNanos / 1e6,
        p.bytesIn,
        p.bytesOut,
        p.userAgent,
        p.routed.retries));
  }

  /** The proxy's decision for the response about to be written; reset once taken. */
  private static final class RouteFacts {
    String route;
    String cluster;
    Object endpoint;
    int upstreamStatus;
    long upstreamNanos;
    int retries;

    /** Moves {@code f}'s facts here and resets {@code f} for the next response. */
    void takeFrom(RouteFacts f) {
      route = f.route;
      cluster = f.cluster;
      endpoint = f.endpoint;
      upstreamStatus = f.upstreamStatus;
      upstreamNanos = f.upstreamNanos;
      retries = f.retries;
      f.route = null;
      f.cluster = null;
      f.endpoint = null;
      f.upstreamStatus = 0;
      f.upstreamNanos = 0;
      f.retries = 0;
    }
  }

  private static final class Pending {
    long startMillis;
    long startNanos;
    String method;
    String path;
    String protocol;
    String authority;
    String userAgent;
    String client;
    String requestId;
    int status;
    final RouteFacts routed = new RouteFacts();
    long bytesIn;
    long bytesOut;
  }
}
