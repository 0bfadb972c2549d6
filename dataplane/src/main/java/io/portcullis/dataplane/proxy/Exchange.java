package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.DefaultAttributeMap;
import io.portcullis.dataplane.clientaddress.ClientAddress;
import io.portcullis.dataplane.clientaddress.ForwardedFor;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.filter.BodyTransform;
import io.portcullis.dataplane.filter.BufferedBody;
import io.portcullis.dataplane.filter.ChainRun;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.LocalResponses;
import io.portcullis.dataplane.filter.RequestBodyWatcher;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.http.ConnectionTls;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.log.AccessLogHandler;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.snapshot.HeaderRewrite;
import java.io.IOException;
import java.net.InetAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * One request and its response, as a phase machine ({@link ExchangePhase}): the route's filters
 * run (and may pause or answer), then the terminal step, which is either {@link Forwarding}
 * upstream or a local answer written by the {@link LocalResponder}; every response head passes the
 * filters' response phases on its way out. This class is also what filters see of the exchange
 * ({@link FilterContext}).
 *
 * <p>The request body is routed here: held (with reading paused) while filters run or a backend
 * connection is being opened, handed to the forwarding as it arrives, or dropped after a local
 * answer. {@code Expect: 100-continue} is answered once a backend connection is established (or
 * when a filter asks for the body); a request answered locally gets its final status without a
 * 100 and the connection closes, since its body was never read.
 */
final class Exchange extends DefaultAttributeMap implements FilterContext, ChainRun.Listener {
  final ExchangeServices services;
  final Downstream down;
  final ChannelHandlerContext ctx;
  final HttpRequest request;
  final RequestHead head;
  final String requestId;
  final boolean hasBody;
  final boolean keepAlive;
  /** A protocol upgrade we tunnel (WebSocket and the like). */
  final boolean upgrade;
  final boolean expectContinue;
  final boolean chunked;
  /** The connection's address: the TCP peer or the PROXY source. */
  private final InetAddress peer;
  /** The request's client, after trusted proxies' {@code X-Forwarded-For}. */
  private final InetAddress clientAddress;
  private String clientAddressText;

  private ExchangePhase phase = ExchangePhase.FILTERS;
  private RouteDecision decision;
  private String route = "none";
  /** The filters' way through this exchange; null when the route has no filters. */
  private ChainRun chainRun;
  /** The terminal step when the route forwards; null otherwise. */
  private Forwarding forwarding;
  /** The body of a local answer being streamed, or null. */
  private LocalResponder localBody;
  /** Body parts that arrived while nothing could take them yet (filters, connecting, retrying). */
  private final HeldBody held = new HeldBody();
  boolean requestComplete;
  boolean responseComplete;
  boolean continueSent;
  /** The circuit breaker that refused this request or its retry: the answer names it. */
  Overflow overflowed;
  /** The request body watcher and end tasks filters hung on this exchange. */
  private final ExchangeHooks hooks = new ExchangeHooks();

  Exchange(ExchangeServices services, Downstream down, HttpRequest request, RequestHead head) {
    this.services = services;
    this.down = down;
    this.ctx = down.ctx();
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
    this.peer = ClientAddress.of(ctx.channel());
    this.clientAddress = ForwardedFor.client(
        peer, request.headers(), services.settings().clientAddresses().trustedProxies());
  }

  ExchangePhase phase() {
    return phase;
  }

  void phase(ExchangePhase next) {
    this.phase = next;
  }

  /** Whether this exchange still owns its connection and has not been answered or closed. */
  boolean current() {
    return down.isCurrent(this) && phase != ExchangePhase.CLOSED;
  }

  // ---- filters, then the terminal step ----

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
        headers,
        ForwardedFor.upstreamValue(
            peer, peer == clientAddress ? clientAddressText() : null, headers,
            services.settings().clientAddresses().trustedProxies()),
        head.scheme(), requestId, HeaderRewrite.NONE, upgrade);
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
      phase = ExchangePhase.FORWARDING;
      forwarding = new Forwarding(this, forward);
      forwarding.start();
    } else if (decision instanceof RouteDecision.Redirect redirect) {
      LocalResponse answer = LocalResponse.empty(redirect.status());
      answer.headers().set(HttpHeaderNames.LOCATION, redirect.location());
      respond(answer);
    } else if (decision instanceof RouteDecision.Direct direct) {
      respond(LocalResponse.text(direct.status(), direct.body()));
    } else if (decision instanceof RouteDecision.Static site) {
      // Completes on this event loop (at once for files carried in the snapshot).
      site.site().respond(this).whenComplete((answer, error) -> {
        if (!active()) {
          LocalResponses.release(answer == null ? null : answer.body());
        } else {
          respond(answer != null ? answer : LocalResponse.text(500, "internal error\n"));
        }
      });
    } else {
      respond(LocalResponse.text(404, Responses.reason(404)));
    }
  }

  @Override
  public boolean active() {
    return down.isCurrent(this) && phase == ExchangePhase.FILTERS;
  }

  /**
   * The response head through the filters' response phases; null when the route has no filters
   * (no allocation on the common path).
   */
  ChainRun.ResponseOutcome filterResponse(HttpResponse out) {
    return chainRun == null ? null : chainRun.onResponse(out);
  }

  // ---- local answers ----

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
    phase = ExchangePhase.LOCAL;
    held.release();
    endForwarding();
    HttpResponse out = new DefaultHttpResponse(
        HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(response.status()), response.headers());
    if (overflowed != null) {
      out.headers().set(Overflow.HEADER, overflowed.value());
    }
    out.headers().set(HeaderPolicy.X_REQUEST_ID, requestId);
    LocalResponse.Body body = response.body();
    BodyTransform transform = null;
    ChainRun.ResponseOutcome outcome = filterResponse(out);
    if (outcome != null && outcome.later() != null) {
      LocalResponses.release(body);
      awaitReplacement(outcome.later(), 0);
      return;
    }
    if (outcome != null) {
      out = outcome.head();
      transform = outcome.transform();
      if (outcome.replacement() != null) {
        LocalResponses.release(body);
        body = outcome.replacement();
      }
    }
    completed(out.status().code(), 0);
    writeLocal(out, body, transform);
  }

  /** See {@link PendingReplacement}. */
  void awaitReplacement(CompletionStage<ChainRun.ResponseOutcome> later, int upstreamStatus) {
    phase = ExchangePhase.LOCAL;
    PendingReplacement.await(this, later, upstreamStatus);
  }

  /** A local answer is being written already. */
  boolean writingLocal() {
    return localBody != null;
  }

  /** Streams a local answer, then ends the exchange as its framing requires. */
  void writeLocal(HttpResponse out, LocalResponse.Body body, BodyTransform transform) {
    phase = ExchangePhase.LOCAL;
    // A body we have not read makes the connection unusable for the next request.
    boolean close = !keepAlive || down.draining() || (hasBody && !requestComplete);
    int code = out.status().code();
    boolean bodyless = HttpMethod.HEAD.equals(request.method()) || code == 204 || code == 304;
    localBody = LocalResponder.start(ctx, out, body, transform, bodyless, close,
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
            down.finished(this);
          }
        });
    // Read on to consume the (empty) end of the request.
    ctx.channel().config().setAutoRead(true);
  }

  /** The status is decided: count it, and tell the access log (if any) what was decided. */
  void completed(int status, int upstreamStatus) {
    services.metrics().requestCompleted(route, status);
    Forwarding f = forwarding;
    if (f == null) {
      AccessLogHandler.routed(ctx.channel(), route, null, null, upstreamStatus, 0, 0);
    } else {
      AccessLogHandler.routed(ctx.channel(), route, f.cluster().name(), f.endpoint(), upstreamStatus,
          f.upstreamNanos(), f.retries());
    }
  }

  /** The response is out whole: the next request may come (unless the connection closes). */
  void responseEnded() {
    responseComplete = true;
  }

  // ---- the request body ----

  /** A part of the request body arrived. */
  void requestContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (last) {
      requestComplete = true;
    }
    if (phase != ExchangePhase.LOCAL && phase != ExchangePhase.CLOSED) {
      LocalResponse stop = hooks.bodyPart(content.content().readableBytes());
      if (stop != null) {
        content.release();
        stopRequest(stop);
        return;
      }
    }
    if (phase == ExchangePhase.LOCAL || phase == ExchangePhase.CLOSED) {
      content.release();
      if (last && responseComplete) {
        down.finished(this);
      }
      return;
    }
    down.deadlines().activity(System.nanoTime());
    if (forwarding != null && forwarding.takesBody(content, last)) {
      return;
    }
    // Filters, a connection or a retry still pending: the rest of the body waits in the socket,
    // unless a filter reads on until it has the bytes it asked for.
    ctx.channel().config().setAutoRead(held.hold(content, requestComplete));
  }

  /**
   * A body watcher stopped the request: answer with {@code answer} while no response has started
   * (the backend's half-sent request goes with its connection), else break the response off.
   */
  private void stopRequest(LocalResponse answer) {
    if (forwarding != null) {
      forwarding.abandonRequest();
    }
    if (phase.answered()) {
      LocalResponses.release(answer.body());
      closeDownstream();
    } else {
      respond(answer);
    }
  }

  /** The exchange left its connection (finished, broken off or tunnelled): run the end tasks. */
  void ended() {
    hooks.end(route);
  }

  /** The parts held so far, handed to a new backend connection (null when none). */
  ArrayDeque<HttpContent> takePendingBody() {
    return held.take();
  }

  /** Writes {@code 100 Continue} once, if the client asked for it and is still waiting. */
  void sendContinue() {
    if (expectContinue && !requestComplete && !continueSent) {
      continueSent = true;
      ctx.writeAndFlush(new DefaultFullHttpResponse(
          HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE, Unpooled.EMPTY_BUFFER));
    }
  }

  // ---- connection events ----

  void flushUpstream() {
    if (forwarding != null) {
      forwarding.flushUpstream();
    }
  }

  void downstreamWritabilityChanged() {
    if (localBody != null && ctx.channel().isWritable()) {
      localBody.resume();
    }
    if (forwarding != null) {
      forwarding.downstreamWritabilityChanged();
    }
  }

  /** The client connection closed. */
  void downstreamClosed() {
    phase = ExchangePhase.CLOSED;
    abortLocalBody();
    held.release();
    if (forwarding != null) {
      forwarding.downstreamClosed();
    }
    ended();
  }

  /** The status is out already; closing is the only way to say the body is incomplete. */
  void closeDownstream() {
    phase = ExchangePhase.CLOSED;
    endForwarding();
    ctx.flush();
    ctx.close();
  }

  private void endForwarding() {
    if (forwarding != null) {
      forwarding.end();
    }
  }

  private void abortLocalBody() {
    if (localBody != null) {
      localBody.abort();
      localBody = null;
    }
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
    return clientAddress;
  }

  /**
   * The client's IP as text, or null; made once per exchange: X-Forwarded-For and the balancer's
   * pick both want it, and {@code getHostAddress} formats a new String each time.
   */
  String clientAddressText() {
    if (clientAddressText == null && clientAddress != null) {
      clientAddressText = clientAddress.getHostAddress();
    }
    return clientAddressText;
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
      result.complete(HeldBody.none());
      return result;
    }
    sendContinue();
    ctx.channel().config().setAutoRead(held.await(maxBytes, result, requestComplete));
    return result;
  }

  @Override
  public void watchRequestBody(RequestBodyWatcher watcher) {
    hooks.watchRequestBody(watcher);
  }

  @Override
  public void onExchangeEnd(Runnable task) {
    hooks.onEnd(task);
  }

  @Override
  public CompletionStage<SubrequestClient.SubResponse> fetchFromUpstream(
      HttpHeaders headers, int maxResponseBytes) {
    if (!(decision instanceof RouteDecision.Forward forward)) {
      return CompletableFuture.failedFuture(
          new IllegalStateException("route " + route + " does not forward"));
    }
    return fetchGet(forward.cluster(), forward.pathAndQuery(), headers, maxResponseBytes);
  }

  @Override
  public CompletionStage<SubrequestClient.SubResponse> fetchFromCluster(
      String cluster, String pathAndQuery, HttpHeaders headers, int maxResponseBytes) {
    ClusterRuntime target = services.cluster(cluster);
    if (target == null) {
      return CompletableFuture.failedFuture(
          new IOException("cluster " + cluster + " is not in the current config"));
    }
    return fetchGet(target, pathAndQuery, headers, maxResponseBytes);
  }

  /** A GET of {@code pathAndQuery} to {@code cluster}, outside this exchange (filters' subrequests). */
  private CompletionStage<SubrequestClient.SubResponse> fetchGet(
      ClusterRuntime cluster, String pathAndQuery, HttpHeaders headers, int maxResponseBytes) {
    FullHttpRequest get = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET,
        pathAndQuery, Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
    return UpstreamFetch.send(ctx.channel().eventLoop(), services.upstreams(), cluster, get,
        maxResponseBytes, services.settings().responseTimeout().toMillis(), services.resilience());
  }
}
