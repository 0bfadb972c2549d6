package io.portcullis.dataplane.proxy;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.portcullis.dataplane.clientaddress.ClientAddress;
import io.portcullis.dataplane.clientaddress.ForwardedProto;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.tls.ClientCertificateSniHandler;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of a connection (or of one HTTP/2 stream): turns Netty's callbacks into
 * exchanges, one request at a time. Pipelined requests wait (decoded, bounded by one socket read
 * because reading pauses as soon as one has to wait) until the response before them is complete,
 * so answers are in order. Each request is routed once and handed to an {@link Exchange}, which
 * runs the route's filters and its terminal step.
 *
 * <p>Backpressure: the channel stops reading when something it decoded has to wait (a pipelined
 * request, a body part while filters run or a backend connection is being opened) or the backend
 * connection is not writable. Reading is paused lazily rather than around every request because
 * each pause and resume is an {@code epoll_ctl} system call on epoll. Upstream writes made during
 * a read batch are flushed once at its end.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter implements Downstream {
  /** Fired on every client connection by {@link ProxyServer#close()}. */
  static final Object DRAIN = new Object();

  private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

  private final ExchangeServices services;
  private final Router router;
  /** On an HTTP/2 stream channel: the connection is counted by the HTTP/2 handlers. */
  private final boolean stream;
  private final ArrayDeque<HttpObject> queued = new ArrayDeque<>(2); // rarely more than one
  private ChannelHandlerContext ctx;
  private Exchange exchange;
  private boolean draining;
  /** Inside a read batch: a channelReadComplete follows, which flushes the upstream writes. */
  private boolean reading;
  private ExchangeDeadlines deadlines;

  ProxyHandler(ExchangeServices services, Router router, boolean stream) {
    this.services = services;
    this.router = router;
    this.stream = stream;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
    this.deadlines = new ExchangeDeadlines(ctx.executor());
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    deadlines.cancel();
    releaseQueued();
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!stream) {
      services.metrics().connectionOpened();
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!stream) {
      services.metrics().connectionClosed();
    }
    deadlines.cancel();
    if (exchange != null) {
      exchange.downstreamClosed();
      exchange = null;
    }
    releaseQueued();
    ctx.fireChannelInactive();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    reading = true;
    if (!(msg instanceof HttpObject obj)) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!queued.isEmpty() || (exchange != null && exchange.requestComplete)) {
      // Pipelined: it waits for the response before it, and so does the rest of the socket.
      queued.add(obj);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    dispatch(obj);
  }

  private void dispatch(HttpObject obj) {
    if (obj instanceof HttpRequest request) {
      if (exchange != null) {
        // A new head before the previous body ended cannot come out of a sane decoder.
        ReferenceCountUtil.release(obj);
        ctx.close();
        return;
      }
      startExchange(request);
      if (obj instanceof HttpContent content && exchange != null) {
        exchange.requestContent(content);
      }
    } else if (obj instanceof HttpContent content) {
      if (exchange == null) {
        content.release(); // rest of a body whose request was answered already
      } else {
        exchange.requestContent(content);
      }
    }
  }

  private void drainQueue() {
    while (!queued.isEmpty() && ctx.channel().isActive()) {
      if (exchange != null && exchange.requestComplete) {
        break;
      }
      dispatch(queued.poll());
    }
    if (!reading && exchange != null) {
      // Queued body parts were written upstream outside a read batch: no channelReadComplete will
      // flush them.
      exchange.flushUpstream();
    }
  }

  private void releaseQueued() {
    HttpObject o;
    while ((o = queued.poll()) != null) {
      ReferenceCountUtil.release(o);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    reading = false;
    if (exchange != null) {
      exchange.flushUpstream();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (exchange != null) {
      exchange.downstreamWritabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      if (exchange == null) {
        ctx.close();
      }
      return;
    }
    if (evt == DRAIN) {
      draining = true;
      if (exchange == null) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    log.debug("client connection {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  private void startExchange(HttpRequest request) {
    ctx.channel().pipeline().fireUserEventTriggered(ProxyEvent.REQUEST_HEAD_RECEIVED);
    String uri = request.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String query = q < 0 ? null : uri.substring(q + 1);
    HttpHeaders headers = request.headers();
    RequestHead head =
        new RequestHead(
            ForwardedProto.scheme(services.scheme(), ClientAddress.of(ctx.channel()), headers,
                services.settings().clientAddresses().trustedProxies()),
            headers.get(HttpHeaderNames.HOST),
            path,
            query,
            request.method().name(),
            RequestHead.HeaderLookup.of(headers),
            ClientCertificateSniHandler.of(ctx.channel()));
    Exchange ex = new Exchange(services, this, request, head);
    exchange = ex;
    RouteDecision decision;
    try {
      decision = router.route(head);
    } catch (RuntimeException e) {
      log.warn("router failed for {} {}", request.method(), path, e);
      ex.respond(LocalResponse.text(500, "internal error\n"));
      return;
    }
    ex.start(decision);
  }

  // ---- Downstream ----

  @Override
  public ChannelHandlerContext ctx() {
    return ctx;
  }

  @Override
  public boolean draining() {
    return draining;
  }

  @Override
  public boolean inReadBatch() {
    return reading;
  }

  @Override
  public boolean isCurrent(Exchange ex) {
    return exchange == ex;
  }

  @Override
  public void finished(Exchange ex) {
    if (exchange != ex) {
      return;
    }
    exchange = null;
    ex.ended();
    if (draining || !ex.keepAlive) {
      ctx.close();
      return;
    }
    ctx.channel().pipeline().fireUserEventTriggered(ProxyEvent.EXCHANGE_COMPLETE);
    ctx.channel().config().setAutoRead(true);
    drainQueue();
  }

  @Override
  public void tunnelled(Exchange ex) {
    if (exchange == ex) {
      exchange = null;
      ex.ended();
    }
  }

  @Override
  public ExchangeDeadlines deadlines() {
    return deadlines;
  }
}
