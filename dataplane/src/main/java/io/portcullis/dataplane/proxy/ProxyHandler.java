package io.portcullis.dataplane.proxy;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.config.ClusterRuntime;
import io.portcullis.dataplane.health.Failure;
import io.portcullis.dataplane.lb.PickContext;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.log.AccessLogHandler;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.OverflowException;
import io.portcullis.dataplane.resilience.ReplayBuffer;
import io.portcullis.dataplane.resilience.ResilienceMetrics;
import io.portcullis.dataplane.resilience.RetryDecision;
import io.portcullis.dataplane.tls.ClientCertificateSniHandler;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.BufferedBody;
import io.portcullis.dataplane.filter.ChainRun;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import io.portcullis.dataplane.http.ConnectionTls;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.util.DefaultAttributeMap;
import java.net.InetAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.RetryPolicy;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-connection proxy logic: routes each request once, streams it to a backend and the
 * response back, one request at a time. Pipelined requests wait (decoded, bounded by one socket
 * read because reading pauses as soon as one has to wait) until the response before them is
 * complete, so answers are in order.
 *
 * <p>Backpressure: the downstream channel stops reading when something it decoded has to wait (a
 * pipelined request, a body chunk while the backend connection is still being opened) or the
 * backend connection is not writable; the backend connection reads only while the client
 * connection is writable. Nothing aggregates a body. Reading is paused lazily rather than around
 * every request because each pause and resume is an {@code epoll_ctl} system call on epoll.
 *
 * <p>Timeouts (per try, total, idle) are watched by {@link ExchangeDeadlines}: at most one queued
 * timer per connection that re-arms itself when the deadlines moved; a timer scheduled and
 * cancelled per request cost a priority-queue insert and removal each. Retries, circuit breakers
 * and mirroring follow the route's policy (see {@link Exchange#forward}).
 *
 * <p>{@code Expect: 100-continue} is answered by the proxy once the request is routed and a
 * backend connection is established (the header is not forwarded); a request answered locally
 * (404, 503, 502, ...) gets its final status without a 100 and the connection closes, since its
 * body was never read.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter {
  /** Fired on every client connection by {@link ProxyServer#close()}. */
  static final Object DRAIN = new Object();

  private static final Logger log = LoggerFactory.getLogger(ProxyHandler.class);

  private final ProxySettings settings;
  private final Router router;
  private final ProxyMetrics metrics;
  private final UpstreamConnector connector;
  private final String scheme;
  /** On an HTTP/2 stream channel: the connection is counted by the HTTP/2 handlers. */
  private final boolean stream;
  private final long responseTimeoutNanos;
  private final ArrayDeque<HttpObject> queued = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange exchange;
  private boolean draining;
  /** Inside a read batch: a channelReadComplete follows, which flushes the upstream writes. */
  private boolean reading;
  private ExchangeDeadlines deadlines;
  private final ResilienceMetrics resilienceMetrics;

  ProxyHandler(
      ProxySettings settings,
      Router router,
      ProxyMetrics metrics,
      UpstreamConnector connector,
      String scheme) {
    this(settings, router, metrics, connector, scheme, false);
  }

  ProxyHandler(
      ProxySettings settings,
      Router router,
      ProxyMetrics metrics,
      UpstreamConnector connector,
      String scheme,
      boolean stream) {
    this.stream = stream;
    this.settings = settings;
    this.router = router;
    this.metrics = metrics;
    this.connector = connector;
    this.scheme = scheme;
    this.responseTimeoutNanos = settings.responseTimeout().toNanos();
    this.resilienceMetrics = metrics.resilience();
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
      metrics.connectionOpened();
    }
    ctx.fireChannelActive();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (!stream) {
      metrics.connectionClosed();
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
            scheme,
            headers.get(HttpHeaderNames.HOST),
            path,
            query,
            request.method().name(),
            headers::get,
            ClientCertificateSniHandler.of(ctx.channel()));
    Exchange ex = new Exchange(request, head);
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

  private void finishExchange(Exchange ex) {
    if (exchange != ex) {
      return;
    }
    exchange = null;
    if (draining || !ex.keepAlive) {
      ctx.close();
      return;
    }
    ctx.channel().pipeline().fireUserEventTriggered(ProxyEvent.EXCHANGE_COMPLETE);
    ctx.channel().config().setAutoRead(true);
    drainQueue();
  }

  /** The client's IP for balancing (hash on client address), or null when unknown. */
  private String clientAddress() {
    SocketAddress remote = ctx.channel().remoteAddress();
    return remote instanceof InetSocketAddress inet && inet.getAddress() != null
        ? inet.getAddress().getHostAddress()
        : null;
  }

  private String clientIp() {
    SocketAddress remote = ctx.channel().remoteAddress();
    if (remote instanceof InetSocketAddress inet && inet.getAddress() != null) {
      return inet.getAddress().getHostAddress();
    }
    return "unknown";
  }

  /** One request and its response. */
  private final class Exchange extends DefaultAttributeMap
      implements UpstreamHandler.Listener, ExchangeDeadlines.Target, FilterContext,
          ChainRun.Listener {
    private final HttpRequest request;
    private final RequestHead head;
    private final String requestId;
    private final boolean hasBody;
    private final boolean keepAlive;
    private final boolean upgrade;
    private final boolean expectContinue;
    private final boolean chunked;
    private RouteDecision decision;
    /** The filters' way through this exchange; null when the route has no filters. */
    private ChainRun chainRun;
    /** The body of a local answer being streamed, or null. */
    private LocalResponder localBody;
    /** What the response body streams through (filters' transforms), or null. */
    private BodyTransform transform;
    /** A filter waits for the start of the request body. */
    private BodyWaiter bodyWaiter;
    private String route = "none";
    private boolean requestComplete;
    private boolean responseComplete;
    private boolean responseHeadSent;
    private boolean local;
    private boolean closed;
    private boolean closeAfterResponse;
    // forwarding
    private RouteDecision.Forward forward;
    private Endpoint endpoint;
    /** A Set-Cookie the balancer asked for (cookie affinity), added to the response head. */
    private String affinityCookie;
    private boolean continueSent;
    private HttpRequest upstreamRequest;
    private ArrayDeque<HttpContent> pendingBody;
    private Channel upstream;
    private UpstreamHandler upstreamHandler;
    private boolean wroteUpstream;
    private boolean upstreamReusable;
    private boolean switching;
    private boolean skippingInformational;
    private boolean retried;
    private long sentNanos;
    private long upstreamNanos;
    private int responseStatus;
    /**
     * The response head, held back until its first body part or the end of the backend read: a head
     * and a body that arrive together leave as one message (one write through the pipeline).
     */
    private HttpResponse heldHead;
    // resilience: see forward()
    private RetryPolicy retryPolicy;
    private ClusterLimits limits;
    private boolean holdsRequestSlot;
    private boolean holdsRetrySlot;
    private boolean totalCoversBody;
    private UpstreamEndpoint attemptEndpoint;
    private boolean attemptOpen;
    private int attemptId;
    private Set<UpstreamEndpoint> tried;
    private int retriesDone;
    /** Body parts sent so far, for a retry to send again; null when no retry could need them. */
    private ReplayBuffer replay;
    private boolean bodySentUpstream;
    /**
     * The end of the request went to an earlier try. A retry without a replay buffer (a request
     * without body) must end the request again: an HTTP/2 stream stays open until it is told.
     */
    private boolean requestEndSent;
    private ScheduledFuture<?> retryTimer;
    /** The circuit breaker that refused this request or its retry: the answer names it. */
    private Overflow overflowed;
    private RequestMirror mirror;

    Exchange(HttpRequest request, RequestHead head) {
      this.request = request;
      this.head = head;
      this.requestId = HeaderPolicy.requestId(request.headers());
      this.hasBody =
          HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0;
      this.keepAlive = HttpUtil.isKeepAlive(request);
      // Read before start() turns the headers into the upstream ones (they are hop-by-hop).
      this.upgrade = HeaderPolicy.isUpgradeRequest(request.headers());
      this.expectContinue = HttpUtil.is100ContinueExpected(request);
      this.chunked = HttpUtil.isTransferEncodingChunked(request);
    }

    /**
     * Runs the route's filters, then the terminal step. The proxy's own header policy (hop-by-hop
     * headers out, {@code X-Forwarded-*}, {@code X-Request-Id}) is applied first, so filters see
     * and may change the headers the backend will get.
     */
    void start(RouteDecision decision) {
      this.decision = decision;
      this.route = decision.route();
      HttpHeaders headers = request.headers();
      HeaderPolicy.toUpstreamRequestHeaders(
          headers, clientIp(), scheme, requestId, HeaderRewrite.NONE, upgrade);
      HeaderPolicy.setForwardedClientCert(headers, head.tls());
      FilterChain filters = decision.filters();
      if (filters.isEmpty()) {
        proceed();
      } else {
        chainRun = filters.newRun(this, this);
        chainRun.start();
      }
    }

    /** Every filter let the request through: the terminal step. */
    @Override
    public void proceed() {
      if (decision instanceof RouteDecision.Forward forward) {
        forward(forward);
      } else if (decision instanceof RouteDecision.Redirect redirect) {
        LocalResponse answer = LocalResponse.empty(redirect.status());
        answer.headers().set(HttpHeaderNames.LOCATION, redirect.location());
        respond(answer);
      } else if (decision instanceof RouteDecision.Direct direct) {
        respond(LocalResponse.text(direct.status(), direct.body()));
      } else {
        respond(LocalResponse.text(404, Responses.reason(404)));
      }
    }

    @Override
    public boolean active() {
      return exchange == this && !closed && !local;
    }

    // ---- FilterContext ----

    @Override
    public HttpRequest request() {
      return request;
    }

    @Override
    public RequestHead head() {
      return head;
    }

    @Override
    public InetAddress clientAddress() {
      SocketAddress remote = ctx.channel().remoteAddress();
      return remote instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    @Override
    public ConnectionTls tls() {
      return head.tls();
    }

    @Override
    public String routeName() {
      return route;
    }

    @Override
    public EventLoop eventLoop() {
      return ctx.channel().eventLoop();
    }

    @Override
    public ByteBufAllocator alloc() {
      return ctx.alloc();
    }

    @Override
    public CompletionStage<BufferedBody> bufferRequestBody(int maxBytes) {
      CompletableFuture<BufferedBody> result = new CompletableFuture<>();
      if (!hasBody) {
        result.complete(new BufferedBody(Unpooled.EMPTY_BUFFER, true));
        return result;
      }
      bodyWaiter = new BodyWaiter(maxBytes, result);
      if (expectContinue && !continueSent && !requestComplete) {
        continueSent = true;
        ctx.writeAndFlush(new DefaultFullHttpResponse(
            HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
      }
      if (!checkBodyWaiter()) {
        ctx.channel().config().setAutoRead(true);
      }
      return result;
    }

    /** Completes the body waiter when enough body is queued; returns true when it did. */
    private boolean checkBodyWaiter() {
      BodyWaiter waiter = bodyWaiter;
      if (waiter == null) {
        return true;
      }
      long queued = 0;
      if (pendingBody != null) {
        for (HttpContent part : pendingBody) {
          queued += part.content().readableBytes();
        }
      }
      if (!requestComplete && queued < waiter.maxBytes()) {
        return false;
      }
      bodyWaiter = null;
      ctx.channel().config().setAutoRead(false);
      waiter.complete(pendingBody, requestComplete && queued <= waiter.maxBytes());
      return true;
    }

    /** The status is decided: count it, and tell the access log (if any) what was decided. */
    private void completed(int status, int upstreamStatus) {
      metrics.requestCompleted(route, status);
      AccessLogHandler.routed(ctx.channel(), route,
          forward == null ? null : forward.cluster().name(), endpoint, upstreamStatus,
          upstreamNanos, retriesDone);
    }

    // ---- local answers (404, redirects, direct responses, proxy errors) ----

    /** The proxy's own error status (502, 503, 504...), in gRPC form for gRPC requests. */
    void answerError(int status) {
      respond(GrpcResponses.replaces(status, request)
          ? GrpcResponses.unavailable(status)
          : LocalResponse.text(status, Responses.reason(status)));
    }

    /**
     * Answers locally (a filter's answer, a redirect, a direct response, an error): the response
     * passes the response phases of the filters that let the request through, then the local
     * responder streams it.
     */
    @Override
    public void respond(LocalResponse response) {
      local = true;
      releasePendingBody();
      endForward();
      HttpResponse out = new DefaultHttpResponse(
          HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()), response.headers());
      if (overflowed != null) {
        out.headers().set(Overflow.HEADER, overflowed.value());
      }
      out.headers().set(HeaderPolicy.X_REQUEST_ID, requestId);
      LocalResponse.Body body = response.body();
      BodyTransform bodyTransform = null;
      if (chainRun != null) {
        ChainRun.ResponseOutcome outcome = chainRun.onResponse(out);
        out = outcome.head();
        bodyTransform = outcome.transform();
        if (outcome.replacement() != null) {
          LocalResponses.release(body);
          body = outcome.replacement();
        }
      }
      responseHeadSent = true;
      completed(out.status().code(), 0);
      writeLocal(out, body, bodyTransform);
    }

    /** Streams a local answer, then ends the exchange as its framing requires. */
    private void writeLocal(HttpResponse out, LocalResponse.Body body, BodyTransform bodyTransform) {
      // A body we have not read makes the connection unusable for the next request.
      boolean close = !keepAlive || draining || (hasBody && !requestComplete);
      int code = out.status().code();
      boolean bodyless =
          HttpMethod.HEAD.equals(request.method()) || code == 204 || code == 304;
      localBody = LocalResponder.start(ctx, out, body, bodyTransform, bodyless, close,
          request.protocolVersion().minorVersion() == 0);
      ChannelFuture written = localBody.done();
      if (localBody.closeAfter()) {
        written.addListener(ChannelFutureListener.CLOSE);
        return;
      }
      written.addListener(
          f -> {
            localBody = null;
            responseComplete = true;
            if (!f.isSuccess()) {
              ctx.close();
            } else if (requestComplete) {
              finishExchange(this);
            }
          });
      // Read on to consume the (empty) end of the request.
      ctx.channel().config().setAutoRead(true);
    }

    /** A circuit breaker tripped: a fast 503 that names it. */
    private void overflow(Overflow limit) {
      resilienceMetrics.overflow(forward.cluster().name(), limit);
      overflowed = limit;
      answerError(503);
    }

    void requestContent(HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (last) {
        requestComplete = true;
      }
      if (local || closed) {
        content.release();
        if (last && responseComplete) {
          finishExchange(this);
        }
        return;
      }
      deadlines.activity(System.nanoTime());
      if (mirror != null) {
        mirror.add(content, ctx.channel());
        if (last) {
          sendMirror();
        }
      }
      if (upstream == null) {
        if (pendingBody == null) {
          pendingBody = new ArrayDeque<>();
        }
        pendingBody.add(content);
        if (bodyWaiter != null && !checkBodyWaiter()) {
          return; // a filter reads on until it has the bytes it asked for
        }
        // Still connecting (or waiting to retry, or in the filters): the rest waits in the socket.
        ctx.channel().config().setAutoRead(false);
        return;
      }
      sendBody(content);
      wroteUpstream = true;
      if (!last && !upstream.isWritable()) {
        ctx.channel().config().setAutoRead(false);
      }
      if (last) {
        requestSent();
        if (responseComplete) {
          // The backend answered before it had the whole body.
          upstream.flush();
        }
      }
    }

    /** Writes one body part upstream, keeping a copy while a retry may have to send it again. */
    private void sendBody(HttpContent content) {
      if (replay != null) {
        replay.record(content);
      }
      bodySentUpstream |= content.content().isReadable();
      requestEndSent |= content instanceof LastHttpContent;
      upstream.write(content, upstream.voidPromise());
    }

    /** The response broke off: the transform and a streamed local body release their state. */
    private void abortResponseBody() {
      if (transform != null) {
        transform.onAbort();
        transform = null;
      }
      if (localBody != null) {
        localBody.abort();
        localBody = null;
      }
    }

    private void releasePendingBody() {
      if (pendingBody != null) {
        pendingBody.forEach(ReferenceCountUtil::release);
        pendingBody = null;
      }
    }

    // ---- forwarding ----

    /**
     * Sends the request to the decision's cluster, within its circuit breakers, and tries again
     * under the route's retry policy: after a failed connect, a reset or a per-try timeout before
     * the response head, or a retriable status (whose response is drained, never sent); each retry
     * after a jittered back-off, to an endpoint not tried yet when there is one, within the retry
     * budget and the total deadline. Nothing is retried once the response head was accepted.
     */
    void forward(RouteDecision.Forward decision) {
      this.forward = decision;
      this.route = decision.route();
      ClusterRuntime cluster = decision.cluster();
      limits = cluster.limits();
      retryPolicy = decision.retries();
      long now = System.nanoTime();
      totalCoversBody = decision.timeoutMillis() > 0;
      long totalNanos =
          totalCoversBody ? TimeUnit.MILLISECONDS.toNanos(decision.timeoutMillis()) : responseTimeoutNanos;
      long idleNanos =
          decision.idleTimeoutMillis() > 0
              ? TimeUnit.MILLISECONDS.toNanos(decision.idleTimeoutMillis())
              : settings.exchangeIdleTimeout().toNanos();
      deadlines.start(this, now, totalNanos, idleNanos);
      if (!limits.tryStartRequest()) {
        overflow(Overflow.MAX_REQUESTS);
        return;
      }
      holdsRequestSlot = true;
      // The decoded request is ours: its headers (made upstream ones by start()) go, no copy.
      upstreamRequest =
          new DefaultHttpRequest(
              HttpVersion.HTTP_1_1, request.method(), decision.pathAndQuery(), request.headers());
      if (chunked) {
        HttpUtil.setTransferEncodingChunked(upstreamRequest, true);
      }
      if (hasBody && retriesAfterSending(retryPolicy)) {
        replay = new ReplayBuffer(settings.maxReplayBodyBytes());
      }
      mirror =
          RequestMirror.start(
              decision.mirror(), upstreamRequest, hasBody, settings.maxReplayBodyBytes(),
              resilienceMetrics);
      if (mirror != null && !hasBody) {
        sendMirror();
      }
      startAttempt();
    }

    private void sendMirror() {
      RequestMirror m = mirror;
      mirror = null;
      m.send(ctx.channel().eventLoop(), connector, settings.responseTimeout().toMillis());
    }

    /** A try on a fresh endpoint. */
    private void startAttempt() {
      PickContext pickContext =
          new PickContext(head, ProxyHandler.this.clientAddress(), tried == null ? Set.of() : tried);
      UpstreamEndpoint picked = forward.cluster().pick(pickContext);
      if (picked == null) {
        answerError(503);
        return;
      }
      affinityCookie = forward.cluster().affinityCookie(pickContext, picked);
      attemptEndpoint = picked;
      endpoint = picked.endpoint();
      picked.requestStarted();
      attemptOpen = true;
      connect(++attemptId);
    }

    private void connect(int id) {
      Future<Channel> acquired =
          connector.acquire(ctx.channel().eventLoop(), endpoint, forward.cluster());
      if (acquired.isDone()) {
        onAcquired(acquired, id);
      } else {
        acquired.addListener(f -> onAcquired(acquired, id));
      }
    }

    private void onAcquired(Future<Channel> acquired, int id) {
      if (closed || exchange != this || id != attemptId || local) {
        if (acquired.isSuccess()) {
          acquired.getNow().close();
        }
        return;
      }
      if (!acquired.isSuccess()) {
        Throwable cause = acquired.cause();
        if (cause instanceof OverflowException o) {
          abandonAttempt();
          overflow(o.overflow());
          return;
        }
        if (cause instanceof ConnectTimeoutException) {
          resilienceMetrics.timeout(forward.cluster().name(), "connect");
        }
        log.debug("connect to {} failed: {}", endpoint, cause.toString());
        attemptFailed(RetryDecision.Condition.CONNECT_FAILURE);
        return;
      }
      upstream = acquired.getNow();
      upstreamHandler = upstream.pipeline().get(UpstreamHandler.class);
      upstreamHandler.attach(this);
      upstream.config().setAutoRead(true);
      upstream.write(upstreamRequest, upstream.voidPromise());
      sentNanos = System.nanoTime();
      if (expectContinue && !requestComplete && !continueSent) {
        continueSent = true;
        ctx.writeAndFlush(
            new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
      }
      if (replay != null && retriesDone > 0) {
        for (HttpContent part : replay.replay()) {
          upstream.write(part, upstream.voidPromise());
        }
      } else if (requestEndSent) {
        upstream.write(LastHttpContent.EMPTY_LAST_CONTENT, upstream.voidPromise());
      }
      if (pendingBody != null) {
        HttpContent c;
        while ((c = pendingBody.poll()) != null) {
          sendBody(c);
        }
        pendingBody = null;
      }
      if (requestComplete) {
        requestSent();
      }
      if (reading) {
        // The end of the request usually sits in the same read: one flush for both, at its end.
        wroteUpstream = true;
      } else {
        upstream.flush();
      }
      if (!requestComplete) {
        ctx.channel().config().setAutoRead(upstream.isWritable());
      }
    }

    /** The whole request is on its way: the per-try timeout runs from here, as in Envoy. */
    private void requestSent() {
      long perTry = retryPolicy.perTryTimeoutMillis();
      if (perTry > 0 && !responseHeadSent) {
        deadlines.armTry(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(perTry));
      }
    }

    /** This try failed before a response head was accepted: retry, or answer the failure. */
    private void attemptFailed(RetryDecision.Condition condition) {
      deadlines.disarmTry();
      closeUpstream();
      endAttempt(failureOf(condition));
      retryOrAnswer(condition);
    }

    /**
     * An HTTP/2 backend refused the stream unprocessed (REFUSED_STREAM, or a GOAWAY below it,
     * typically a graceful shutdown): retried as a connect failure, and no fault of the endpoint.
     */
    private void attemptRefused() {
      deadlines.disarmTry();
      closeUpstream();
      abandonAttempt();
      retryOrAnswer(RetryDecision.Condition.CONNECT_FAILURE);
    }

    private void retryOrAnswer(RetryDecision.Condition condition) {
      if (closed || exchange != this || local) {
        return;
      }
      long backoff = retryBackoff(condition);
      if (backoff >= 0) {
        scheduleRetry(condition, backoff);
        return;
      }
      answerError(condition == RetryDecision.Condition.TIMEOUT ? 504 : 502);
    }

    /** The back-off before retrying after {@code condition}, or -1 when no retry may follow. */
    private long retryBackoff(RetryDecision.Condition condition) {
      if (closed || responseHeadSent || (upgrade && bodySentUpstream)) {
        return -1;
      }
      if (!RetryDecision.allows(retryPolicy, condition, retriesDone, request.method().name())) {
        return -1;
      }
      if (bodySentUpstream && (replay == null || !replay.replayable())) {
        return -1; // the body is gone: it was larger than the replay limit
      }
      long backoff = RetryDecision.backoffMillis(retryPolicy, retriesDone + 1);
      if (deadlines.totalRemaining(System.nanoTime()) <= TimeUnit.MILLISECONDS.toNanos(backoff)) {
        return -1;
      }
      if (!holdsRetrySlot) {
        if (!limits.tryStartRetry()) {
          overflowed = Overflow.RETRY_BUDGET;
          resilienceMetrics.overflow(forward.cluster().name(), Overflow.RETRY_BUDGET);
          return -1;
        }
        holdsRetrySlot = true;
      }
      return backoff;
    }

    private void scheduleRetry(RetryDecision.Condition condition, long backoffMillis) {
      retriesDone++;
      resilienceMetrics.retry(forward.cluster().name(), condition);
      retryTimer = ctx.executor().schedule(this::retryNow, backoffMillis, TimeUnit.MILLISECONDS);
    }

    private void retryNow() {
      retryTimer = null;
      if (closed || exchange != this || local || responseHeadSent) {
        return;
      }
      startAttempt();
    }

    /**
     * The current try's endpoint is done with this request: {@code failure} null is a success. Once
     * per try; it pairs with {@code requestStarted} in {@link #startAttempt} and feeds outlier
     * detection.
     */
    private void endAttempt(Failure failure) {
      if (closeAttempt()) {
        attemptEndpoint.requestFinished(failure != null);
        if (failure == null) {
          forward.cluster().outliers().reportSuccess(attemptEndpoint);
        } else {
          forward.cluster().outliers().reportFailure(attemptEndpoint, failure);
        }
      }
    }

    /**
     * The try ended for a reason that says nothing about the endpoint (the client went away, a
     * circuit breaker refused the connection).
     */
    private void abandonAttempt() {
      if (closeAttempt()) {
        attemptEndpoint.requestFinished(false);
      }
    }

    private boolean closeAttempt() {
      if (!attemptOpen) {
        return false;
      }
      attemptOpen = false;
      if (tried == null) {
        tried = new HashSet<>(4);
      }
      tried.add(attemptEndpoint);
      return true;
    }

    /** What a failed try tells outlier detection about its endpoint. */
    private static Failure failureOf(RetryDecision.Condition condition) {
      return switch (condition) {
        case CONNECT_FAILURE -> Failure.CONNECT_FAILURE;
        case TIMEOUT -> Failure.TIMEOUT;
        case RESET -> Failure.RESET;
        case STATUS_502 -> Failure.http(502);
        case STATUS_503 -> Failure.http(503);
        case STATUS_504 -> Failure.http(504);
      };
    }

    /** Gives back everything the forward holds; safe to call more than once and before forward. */
    private void endForward() {
      deadlines.stop(this);
      if (retryTimer != null) {
        retryTimer.cancel(false);
        retryTimer = null;
      }
      if (holdsRequestSlot) {
        holdsRequestSlot = false;
        limits.requestEnded();
      }
      if (holdsRetrySlot) {
        holdsRetrySlot = false;
        limits.retryEnded();
      }
      releaseReplay();
      if (mirror != null) {
        mirror.abandon();
        mirror = null;
      }
    }

    private void releaseReplay() {
      if (replay != null) {
        replay.release();
        replay = null;
      }
    }

    @Override
    public void deadlineReached(ExchangeDeadlines.Kind kind) {
      if (closed || exchange != this || local || forward == null) {
        return;
      }
      resilienceMetrics.timeout(forward.cluster().name(), kind.metricName);
      if (kind == ExchangeDeadlines.Kind.PER_TRY) {
        if (!responseHeadSent && upstream != null) {
          attemptFailed(RetryDecision.Condition.TIMEOUT);
        }
        return;
      }
      closeUpstream();
      endAttempt(Failure.TIMEOUT);
      if (!responseHeadSent) {
        answerError(504);
      } else {
        closeDownstream();
      }
    }

    void flushUpstream() {
      if (upstream != null && wroteUpstream) {
        wroteUpstream = false;
        upstream.flush();
      }
    }

    void downstreamWritabilityChanged() {
      if (localBody != null && ctx.channel().isWritable()) {
        localBody.resume();
      }
      if (upstream != null && ctx.channel().isWritable() && !responseComplete) {
        upstream.config().setAutoRead(true);
      }
    }

    @Override
    public void onUpstreamWritabilityChanged() {
      if (upstream != null && upstream.isWritable() && !requestComplete && !local) {
        ctx.channel().config().setAutoRead(true);
      }
    }

    @Override
    public void onResponseReadComplete() {
      writeHeldHead();
      ctx.flush();
    }

    private void writeHeldHead() {
      if (heldHead != null) {
        HttpResponse head = heldHead;
        heldHead = null;
        ctx.write(head, ctx.voidPromise());
      }
    }

    @Override
    public void onResponse(HttpObject msg) {
      if (msg instanceof HttpResponse response && onResponseHead(response)) {
        return;
      }
      if (msg instanceof HttpContent content) {
        onResponseContent(content);
      }
    }

    /** Returns true when the message was consumed here (a failed or retried response). */
    private boolean onResponseHead(HttpResponse response) {
      if (response.decoderResult().isFailure()) {
        ReferenceCountUtil.release(response);
        upstreamFailed();
        return true;
      }
      int code = response.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        skippingInformational = true; // we answered 100 ourselves; drop the backend's
        return false;
      }
      if (code == 101 && !upgrade) {
        ReferenceCountUtil.release(response);
        upstreamFailed();
        return true;
      }
      RetryDecision.Condition failure = RetryDecision.Condition.ofStatus(code);
      if (failure != null) {
        long backoff = retryBackoff(failure);
        if (backoff >= 0) {
          discardResponse(response);
          scheduleRetry(failure, backoff);
          return true;
        }
      }
      deadlines.disarmTry();
      if (!totalCoversBody) {
        deadlines.disarmTotal();
      }
      releaseReplay(); // no retry from here on
      responseStatus = code;
      upstreamNanos = System.nanoTime() - sentNanos;
      metrics.upstreamLatency(forward.cluster().name(), upstreamNanos);
      upstreamReusable = HttpUtil.isKeepAlive(response);
      switching = code == 101;
      boolean upstreamChunked = HttpUtil.isTransferEncodingChunked(response);
      HttpResponse out =
          new DefaultHttpResponse(HttpVersion.HTTP_1_1, response.status(), response.headers());
      HeaderPolicy.downstreamResponseHeaders(out.headers(), requestId, HeaderRewrite.NONE, switching);
      if (overflowed != null) {
        out.headers().set(Overflow.HEADER, overflowed.value());
      }
      if (affinityCookie != null) {
        out.headers().add(HttpHeaderNames.SET_COOKIE, affinityCookie);
      }
      if (chainRun != null) {
        ChainRun.ResponseOutcome outcome = chainRun.onResponse(out);
        if (outcome.replacement() != null) {
          replaceResponse(response, outcome);
          return true;
        }
        out = outcome.head();
        transform = outcome.transform();
      }
      if (!switching) {
        boolean bodyless =
            HttpMethod.HEAD.equals(request.method()) || code == 204 || code == 304;
        if (transform != null && bodyless) {
          transform.onAbort();
          transform = null;
        }
        boolean chunked = upstreamChunked && transform == null;
        if (transform != null) {
          out.headers().remove(HttpHeaderNames.CONTENT_LENGTH); // the transform changes the length
        }
        boolean hasLength = out.headers().contains(HttpHeaderNames.CONTENT_LENGTH);
        if (chunked) {
          HttpUtil.setTransferEncodingChunked(out, true);
        } else if (!hasLength && !bodyless) {
          // Body delimited by the backend closing: re-frame for HTTP/1.1 clients.
          if (request.protocolVersion().minorVersion() >= 1) {
            HttpUtil.setTransferEncodingChunked(out, true);
          } else {
            closeAfterResponse = true;
          }
        }
        if (!keepAlive || draining || closeAfterResponse) {
          out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (request.protocolVersion().minorVersion() == 0) {
          out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
      }
      responseHeadSent = true;
      completed(code, code);
      if (!switching) {
        heldHead = out;
        return false;
      }
      if (transform != null) {
        transform.onAbort(); // a tunnel has no body to transform
        transform = null;
      }
      ctx.write(out);
      // Whether or not the client codec emits an empty end after a 101, the head is the switch.
      switchToTunnel();
      return true;
    }

    /**
     * A filter replaced the backend's response (a cache answering a 304 from its stored copy):
     * the backend's body is read to its end and dropped, and the replacement is written locally.
     */
    private void replaceResponse(HttpResponse response, ChainRun.ResponseOutcome outcome) {
      Channel ch = upstream;
      upstreamHandler.detach();
      upstream = null;
      int upstreamStatus = response.status().code();
      endAttempt(upstreamStatus >= 500 ? Failure.http(upstreamStatus) : null);
      new DiscardingListener(connector, endpoint, ch, requestComplete && upstreamReusable,
          ended -> {}).attach().onResponse(response);
      local = true;
      endForward();
      responseHeadSent = true;
      completed(outcome.head().status().code(), upstreamStatus);
      writeLocal(outcome.head(), outcome.replacement(), outcome.transform());
    }

    /** Hands a response that will be retried to a listener that reads it to its end and drops it. */
    private void discardResponse(HttpResponse response) {
      deadlines.disarmTry();
      upstreamHandler.detach();
      Channel ch = upstream;
      upstream = null;
      endAttempt(Failure.http(response.status().code()));
      new DiscardingListener(connector, endpoint, ch, requestComplete, ended -> {})
          .attach()
          .onResponse(response);
    }

    private void onResponseContent(HttpContent content) {
      boolean last = content instanceof LastHttpContent;
      if (skippingInformational) {
        content.release();
        skippingInformational = !last;
        return;
      }
      if (!responseHeadSent || closed) {
        content.release();
        return;
      }
      if (content.decoderResult().isFailure()) {
        content.release();
        upstreamFailed();
        return;
      }
      deadlines.activity(System.nanoTime());
      if (transform != null) {
        content = transformed(content, last);
      }
      if (!last) {
        writeHeldHead();
        ctx.write(content, ctx.voidPromise());
        if (!ctx.channel().isWritable()) {
          upstream.config().setAutoRead(false);
        }
        return;
      }
      responseComplete = true;
      releaseUpstream();
      endForward();
      boolean close = !keepAlive || draining || closeAfterResponse || !requestComplete;
      ChannelFuture written;
      if (heldHead != null) {
        HttpResponse head = heldHead;
        heldHead = null;
        written =
            ctx.writeAndFlush(
                new DefaultFullHttpResponse(
                    head.protocolVersion(),
                    head.status(),
                    content.content(),
                    head.headers(),
                    ((LastHttpContent) content).trailingHeaders()));
      } else {
        written = ctx.writeAndFlush(content);
      }
      if (close) {
        written.addListener(ChannelFutureListener.CLOSE);
      } else {
        written.addListener(
            f -> {
              if (f.isSuccess()) {
                finishExchange(this);
              } else {
                ctx.close();
              }
            });
      }
    }

    /** The body part as the filters' transform turns it (the transform owns the original). */
    private HttpContent transformed(HttpContent content, boolean last) {
      ByteBuf data = transform.onData(content.content());
      if (!last) {
        return new DefaultHttpContent(data);
      }
      ByteBuf end = transform.onEnd();
      transform = null;
      ByteBuf all = !end.isReadable() ? releaseAndReturn(end, data)
          : !data.isReadable() ? releaseAndReturn(data, end)
          : Unpooled.wrappedBuffer(data, end);
      return new DefaultLastHttpContent(all, ((LastHttpContent) content).trailingHeaders());
    }

    private static ByteBuf releaseAndReturn(ByteBuf empty, ByteBuf kept) {
      empty.release();
      return kept;
    }

    @Override
    public void onUpstreamClosed() {
      if (responseComplete) {
        return;
      }
      if (canRetryOnFreshConnection()) {
        // A pooled connection the backend closed while it sat idle (keep-alive race): nothing was
        // answered and there is no body to replay, so an idempotent request is tried once more.
        retried = true;
        deadlines.disarmTry();
        upstream = null;
        connect(attemptId);
        return;
      }
      upstreamFailed();
    }

    private boolean canRetryOnFreshConnection() {
      return !retried
          && !closed
          && !responseHeadSent
          && !hasBody
          && !upgrade
          // The backend may have read it before closing: only what is safe to send twice.
          && (RetryDecision.idempotent(request.method().name()) || retryPolicy.nonIdempotent())
          && upstreamHandler != null
          && upstreamHandler.reused()
          && exchange == this;
    }

    /** The backend broke or spoke garbage. */
    private void upstreamFailed() {
      if (!responseHeadSent && upstreamHandler != null && upstreamHandler.refused()) {
        attemptRefused();
        return;
      }
      if (!responseHeadSent) {
        attemptFailed(RetryDecision.Condition.RESET);
        return;
      }
      closeUpstream();
      endAttempt(Failure.RESET);
      if (closed || exchange != this) {
        return;
      }
      closeDownstream();
    }

    /** The status is out already; closing is the only way to say the body is incomplete. */
    private void closeDownstream() {
      closed = true;
      abortResponseBody();
      endForward();
      writeHeldHead();
      ctx.flush();
      ctx.close();
    }

    private void releaseUpstream() {
      deadlines.disarmTry();
      endAttempt(responseStatus >= 500 ? Failure.http(responseStatus) : null);
      if (upstream == null) {
        return;
      }
      upstreamHandler.detach();
      Channel ch = upstream;
      upstream = null;
      if (upstreamReusable && requestComplete && ch.isActive()) {
        ch.config().setAutoRead(true);
        connector.release(ch.eventLoop(), endpoint, ch);
      } else {
        ch.close();
      }
    }

    private void closeUpstream() {
      if (upstream != null) {
        upstreamHandler.detach();
        upstream.close();
        upstream = null;
      }
    }

    void downstreamClosed() {
      closed = true;
      abortResponseBody();
      releasePendingBody();
      if (!responseComplete) {
        closeUpstream();
        abandonAttempt();
      }
      endForward();
    }

    /**
     * The backend agreed to switch protocols: both codecs go, and bytes flow raw both ways. The 101
     * head was already written downstream (by the codec, before it is removed).
     */
    private void switchToTunnel() {
      responseComplete = true;
      exchange = null;
      endAttempt(null);
      endForward();
      Channel up = upstream;
      upstreamHandler.detach();
      upstream = null;
      Channel down = ctx.channel();
      ctx.flush();
      var downstream = down.pipeline();
      downstream.addLast("tunnel", new TunnelHandler(up, metrics::connectionClosed));
      if (downstream.get(ProxyChannelInitializer.HEADER_TIMEOUT) != null) {
        downstream.remove(ProxyChannelInitializer.HEADER_TIMEOUT);
      }
      downstream.remove(ProxyChannelInitializer.VALIDATION);
      downstream.remove(ProxyHandler.this);
      downstream.remove(ProxyChannelInitializer.HTTP_CODEC);
      var upstreamPipeline = up.pipeline();
      upstreamPipeline.addLast("tunnel", new TunnelHandler(down, () -> {}));
      upstreamPipeline.remove(UpstreamHandler.class);
      upstreamPipeline.remove("http-codec");
      down.config().setAutoRead(true);
      up.config().setAutoRead(true);
    }
  }

  /** Whether a try can fail after part of the body was sent, so the body must be kept to resend. */
  private static boolean retriesAfterSending(RetryPolicy policy) {
    return policy.attempts() > 0
        && policy.on().stream().anyMatch(c -> !c.equals("connect-failure"));
  }
}
