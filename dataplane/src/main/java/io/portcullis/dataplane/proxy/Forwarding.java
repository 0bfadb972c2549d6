package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.config.ClusterRuntime;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.health.Failure;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.OverflowException;
import io.portcullis.dataplane.resilience.RetryDecision;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The upstream exchange, the terminal step of a route that forwards: sends the request to the
 * decision's cluster within its circuit breakers, and tries again under the route's retry policy
 * ({@link Retries}, one {@link Attempts try} at a time on an endpoint not tried yet when there is
 * one). Nothing is retried once a response head was accepted; from there the {@link
 * ResponseRelay} streams the response to the client.
 *
 * <p>Timeouts (per try, total, idle) are watched by the connection's {@link ExchangeDeadlines}.
 * Backpressure: the client connection stops reading while the backend connection is not
 * writable; the backend connection reads only while the client connection is writable.
 */
final class Forwarding implements UpstreamHandler.Listener, ExchangeDeadlines.Target {
  private static final Logger log = LoggerFactory.getLogger(Forwarding.class);

  private final Exchange ex;
  private final ChannelHandlerContext ctx;
  private final RouteDecision.Forward decision;
  private final ClusterRuntime cluster;
  private final ClusterLimits limits;
  private final Attempts attempts;
  private final Retries retries;
  /** The total timeout runs until the response ends, not just until its head. */
  private final boolean totalCoversBody;
  private HttpRequest upstreamRequest;
  private Channel upstream;
  private UpstreamHandler upstreamHandler;
  private boolean holdsRequestSlot;
  /** Something was written upstream that the end of the read batch flushes. */
  private boolean wroteUpstream;
  /** The keep-alive race was retried once on a fresh connection. */
  private boolean retriedStale;
  /** A 1xx the backend sent is being dropped (we answered 100 ourselves). */
  private boolean skippingInformational;
  private long sentNanos;
  private long upstreamNanos;
  private ScheduledFuture<?> retryTimer;
  private RequestMirror mirror;
  /** The accepted response on its way to the client; null before its head. */
  private ResponseRelay relay;
  private boolean ended;

  Forwarding(Exchange ex, RouteDecision.Forward decision) {
    this.ex = ex;
    this.ctx = ex.ctx;
    this.decision = decision;
    this.cluster = decision.cluster();
    this.limits = cluster.limits();
    this.attempts = new Attempts(cluster);
    this.retries = new Retries(decision.retries(), limits, ex.request.method().name(),
        ex.hasBody, ex.services.settings().maxReplayBodyBytes());
    this.totalCoversBody = decision.timeoutMillis() > 0;
  }

  // ---- facts for the access log and the relay ----

  String clusterName() {
    return cluster.name();
  }

  Endpoint endpoint() {
    return attempts.endpoint();
  }

  long upstreamNanos() {
    return upstreamNanos;
  }

  int retries() {
    return retries.done();
  }

  String affinityCookie() {
    return attempts.affinityCookie();
  }

  Upstreams upstreams() {
    return ex.services.upstreams();
  }

  // ---- sending ----

  void start() {
    ProxySettings settings = ex.services.settings();
    long now = System.nanoTime();
    long totalNanos = totalCoversBody
        ? TimeUnit.MILLISECONDS.toNanos(decision.timeoutMillis())
        : settings.responseTimeout().toNanos();
    long idleNanos = decision.idleTimeoutMillis() > 0
        ? TimeUnit.MILLISECONDS.toNanos(decision.idleTimeoutMillis())
        : settings.exchangeIdleTimeout().toNanos();
    ex.down.deadlines().start(this, now, totalNanos, idleNanos);
    if (!limits.tryStartRequest()) {
      overflow(Overflow.MAX_REQUESTS);
      return;
    }
    holdsRequestSlot = true;
    // The decoded request is ours: its headers (made upstream ones by the exchange) go, no copy.
    upstreamRequest = new DefaultHttpRequest(
        HttpVersion.HTTP_1_1, ex.request.method(), decision.pathAndQuery(), ex.request.headers());
    if (ex.chunked) {
      HttpUtil.setTransferEncodingChunked(upstreamRequest, true);
    }
    mirror = RequestMirror.start(decision.mirror(), upstreamRequest, ex.hasBody,
        settings.maxReplayBodyBytes(), ex.services.resilience());
    if (mirror != null && !ex.hasBody) {
      sendMirror();
    }
    startAttempt();
  }

  /** A circuit breaker tripped: a fast 503 that names it. */
  private void overflow(Overflow limit) {
    ex.services.resilience().overflow(cluster.name(), limit);
    ex.overflowed = limit;
    ex.answerError(503);
  }

  private void sendMirror() {
    RequestMirror m = mirror;
    mirror = null;
    m.send(ctx.channel().eventLoop(), upstreams(),
        ex.services.settings().responseTimeout().toMillis());
  }

  /**
   * A body part of the request: written upstream when a connection is there (returns true), else
   * left to the exchange to hold (false). The mirror sees every part either way.
   */
  boolean takesBody(HttpContent content, boolean last) {
    if (mirror != null) {
      mirror.add(content, ctx.channel());
      if (last) {
        sendMirror();
      }
    }
    if (upstream == null) {
      return false;
    }
    send(content);
    wroteUpstream = true;
    if (!last && !upstream.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
    if (last) {
      requestSent();
      if (ex.responseComplete) {
        upstream.flush(); // the backend answered before it had the whole body
      }
    }
    return true;
  }

  /** Writes one body part upstream, keeping a copy while a retry may have to send it again. */
  private void send(HttpContent content) {
    retries.sending(content);
    upstream.write(content, upstream.voidPromise());
  }

  /** A try on a fresh endpoint. */
  private void startAttempt() {
    if (!attempts.next(ex.head, clientAddress())) {
      ex.answerError(503);
      return;
    }
    connect(attempts.id());
  }

  /** The client's IP for balancing (hash on client address), or null when unknown. */
  private String clientAddress() {
    var address = ex.clientAddress();
    return address == null ? null : address.getHostAddress();
  }

  private void connect(int id) {
    Future<Channel> acquired = upstreams().acquire(ctx.channel().eventLoop(), endpoint(), cluster);
    if (acquired.isDone()) {
      onAcquired(acquired, id);
    } else {
      acquired.addListener(f -> onAcquired(acquired, id));
    }
  }

  private void onAcquired(Future<Channel> acquired, int id) {
    if (!stillForwarding() || id != attempts.id()) {
      if (acquired.isSuccess()) {
        acquired.getNow().close();
      }
      return;
    }
    if (!acquired.isSuccess()) {
      Throwable cause = acquired.cause();
      if (cause instanceof OverflowException o) {
        attempts.abandon();
        overflow(o.overflow());
        return;
      }
      if (cause instanceof ConnectTimeoutException) {
        ex.services.resilience().timeout(cluster.name(), "connect");
      }
      log.debug("connect to {} failed: {}", endpoint(), cause.toString());
      attemptFailed(RetryDecision.Condition.CONNECT_FAILURE);
      return;
    }
    upstream = acquired.getNow();
    upstreamHandler = upstream.pipeline().get(UpstreamHandler.class);
    upstreamHandler.attach(this);
    upstream.config().setAutoRead(true);
    upstream.write(upstreamRequest, upstream.voidPromise());
    sentNanos = System.nanoTime();
    ex.sendContinue();
    for (HttpContent part : retries.resend()) {
      upstream.write(part, upstream.voidPromise());
    }
    ArrayDeque<HttpContent> held = ex.takePendingBody();
    if (held != null) {
      HttpContent c;
      while ((c = held.poll()) != null) {
        send(c);
      }
    }
    if (ex.requestComplete) {
      requestSent();
    }
    if (ex.down.inReadBatch()) {
      // The end of the request usually sits in the same read: one flush for both, at its end.
      wroteUpstream = true;
    } else {
      upstream.flush();
    }
    if (!ex.requestComplete) {
      ctx.channel().config().setAutoRead(upstream.isWritable());
    }
  }

  /** Whether this forwarding still waits for a response head (not answered, closed or replaced). */
  private boolean stillForwarding() {
    return ex.current() && ex.phase() == ExchangePhase.FORWARDING;
  }

  /** The whole request is on its way: the per-try timeout runs from here, as in Envoy. */
  private void requestSent() {
    long perTry = retries.policy().perTryTimeoutMillis();
    if (perTry > 0 && relay == null) {
      ex.down.deadlines().armTry(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(perTry));
    }
  }

  // ---- failed tries and retries ----

  /** This try failed before a response head was accepted: retry, or answer the failure. */
  private void attemptFailed(RetryDecision.Condition condition) {
    ex.down.deadlines().disarmTry();
    closeUpstream();
    attempts.end(Attempts.failureOf(condition));
    retryOrAnswer(condition);
  }

  /**
   * An HTTP/2 backend refused the stream unprocessed (REFUSED_STREAM, or a GOAWAY below it,
   * typically a graceful shutdown): retried as a connect failure, and no fault of the endpoint.
   */
  private void attemptRefused() {
    ex.down.deadlines().disarmTry();
    closeUpstream();
    attempts.abandon();
    retryOrAnswer(RetryDecision.Condition.CONNECT_FAILURE);
  }

  private void retryOrAnswer(RetryDecision.Condition condition) {
    if (!stillForwarding()) {
      return;
    }
    long backoff = retryBackoff(condition);
    if (backoff >= 0) {
      scheduleRetry(condition, backoff);
      return;
    }
    ex.answerError(condition == RetryDecision.Condition.TIMEOUT ? 504 : 502);
  }

  /** The back-off before retrying after {@code condition}, or -1 when no retry may follow. */
  private long retryBackoff(RetryDecision.Condition condition) {
    if (!stillForwarding()) {
      return -1;
    }
    return retries.backoff(condition, ex.upgrade,
        ex.down.deadlines().totalRemaining(System.nanoTime()),
        limit -> {
          ex.overflowed = limit;
          ex.services.resilience().overflow(cluster.name(), limit);
        });
  }

  private void scheduleRetry(RetryDecision.Condition condition, long backoffMillis) {
    retries.counting();
    ex.services.resilience().retry(cluster.name(), condition);
    retryTimer = ctx.executor().schedule(this::retryNow, backoffMillis, TimeUnit.MILLISECONDS);
  }

  private void retryNow() {
    retryTimer = null;
    if (stillForwarding()) {
      startAttempt();
    }
  }

  @Override
  public void deadlineReached(ExchangeDeadlines.Kind kind) {
    if (!ex.current() || ex.phase() == ExchangePhase.LOCAL) {
      return;
    }
    ex.services.resilience().timeout(cluster.name(), kind.metricName);
    if (kind == ExchangeDeadlines.Kind.PER_TRY) {
      if (relay == null && upstream != null) {
        attemptFailed(RetryDecision.Condition.TIMEOUT);
      }
      return;
    }
    closeUpstream();
    attempts.end(Failure.TIMEOUT);
    if (relay == null) {
      ex.answerError(504);
    } else {
      closeDownstream();
    }
  }

  // ---- the response ----

  @Override
  public void onResponse(HttpObject msg) {
    if (msg instanceof HttpResponse response && onResponseHead(response)) {
      return;
    }
    if (msg instanceof HttpContent content) {
      onResponseContent(content);
    }
  }

  /** Returns true when the message was consumed here (a failed, retried or replaced response). */
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
    if (code == 101 && !ex.upgrade) {
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
    ex.down.deadlines().disarmTry();
    if (!totalCoversBody) {
      ex.down.deadlines().disarmTotal();
    }
    retries.noMore();
    upstreamNanos = System.nanoTime() - sentNanos;
    ex.services.metrics().upstreamLatency(cluster.name(), upstreamNanos);
    relay = new ResponseRelay(ex, this, HttpUtil.isKeepAlive(response));
    return relay.begin(response);
  }

  /** Hands a response that will be retried to a listener that reads it to its end and drops it. */
  private void discardResponse(HttpResponse response) {
    ex.down.deadlines().disarmTry();
    Channel ch = detachUpstream();
    attempts.end(Failure.http(response.status().code()));
    new DiscardingListener(upstreams(), endpoint(), ch, ex.requestComplete, ended -> {})
        .attach()
        .onResponse(response);
  }

  /**
   * A filter replaced the accepted response: the backend's body is read to its end and dropped
   * (the connection goes back to the pool when it can).
   */
  void discardReplaced(HttpResponse response, boolean reusable) {
    Channel ch = detachUpstream();
    int status = response.status().code();
    attempts.end(status >= 500 ? Failure.http(status) : null);
    new DiscardingListener(upstreams(), endpoint(), ch, ex.requestComplete && reusable,
        ended -> {}).attach().onResponse(response);
  }

  private void onResponseContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (skippingInformational) {
      content.release();
      skippingInformational = !last;
      return;
    }
    if (relay == null || ex.phase() != ExchangePhase.RELAYING) {
      content.release();
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      upstreamFailed();
      return;
    }
    ex.down.deadlines().activity(System.nanoTime());
    relay.content(content, last);
  }

  @Override
  public void onResponseReadComplete() {
    if (relay != null) {
      relay.flush();
    } else {
      ctx.flush();
    }
  }

  @Override
  public void onUpstreamClosed() {
    if (ex.responseComplete) {
      return;
    }
    if (canRetryOnFreshConnection()) {
      // A pooled connection the backend closed while it sat idle (keep-alive race): nothing was
      // answered and there is no body to replay, so an idempotent request is tried once more.
      retriedStale = true;
      ex.down.deadlines().disarmTry();
      upstream = null;
      connect(attempts.id());
      return;
    }
    upstreamFailed();
  }

  private boolean canRetryOnFreshConnection() {
    return !retriedStale
        && stillForwarding()
        && relay == null
        && !ex.hasBody
        && !ex.upgrade
        // The backend may have read it before closing: only what is safe to send twice.
        && (RetryDecision.idempotent(ex.request.method().name())
            || retries.policy().nonIdempotent())
        && upstreamHandler != null
        && upstreamHandler.reused();
  }

  /** The backend broke or spoke garbage. */
  private void upstreamFailed() {
    if (relay == null && upstreamHandler != null && upstreamHandler.refused()) {
      attemptRefused();
      return;
    }
    if (relay == null) {
      attemptFailed(RetryDecision.Condition.RESET);
      return;
    }
    closeUpstream();
    attempts.end(Failure.RESET);
    if (!ex.current()) {
      return;
    }
    closeDownstream();
  }

  /** The status is out already; closing is the only way to say the body is incomplete. */
  private void closeDownstream() {
    relay.abort();
    ex.closeDownstream();
  }

  // ---- connection bookkeeping ----

  /** The response ended: the connection goes back to the pool when it can carry another. */
  void releaseUpstream(int status, boolean reusable) {
    ex.down.deadlines().disarmTry();
    attempts.end(status >= 500 ? Failure.http(status) : null);
    if (upstream == null) {
      return;
    }
    Channel ch = detachUpstream();
    if (reusable && ex.requestComplete && ch.isActive()) {
      ch.config().setAutoRead(true);
      upstreams().release(ch.eventLoop(), endpoint(), ch);
    } else {
      ch.close();
    }
  }

  /** Protocols were switched: the backend connection leaves this exchange for the tunnel. */
  Channel handOverUpstream() {
    attempts.end(null);
    end();
    return detachUpstream();
  }

  private Channel detachUpstream() {
    upstreamHandler.detach();
    Channel ch = upstream;
    upstream = null;
    return ch;
  }

  private void closeUpstream() {
    if (upstream != null) {
      detachUpstream().close();
    }
  }

  /** Gives back everything the forwarding holds; safe to call more than once. */
  void end() {
    if (ended) {
      return;
    }
    ended = true;
    ex.down.deadlines().stop(this);
    if (retryTimer != null) {
      retryTimer.cancel(false);
      retryTimer = null;
    }
    if (holdsRequestSlot) {
      holdsRequestSlot = false;
      limits.requestEnded();
    }
    retries.end();
    if (mirror != null) {
      mirror.abandon();
      mirror = null;
    }
  }

  void flushUpstream() {
    if (upstream != null && wroteUpstream) {
      wroteUpstream = false;
      upstream.flush();
    }
  }

  void downstreamWritabilityChanged() {
    if (upstream != null && ctx.channel().isWritable() && !ex.responseComplete) {
      upstream.config().setAutoRead(true);
    }
  }

  @Override
  public void onUpstreamWritabilityChanged() {
    if (upstream != null && upstream.isWritable() && !ex.requestComplete
        && ex.phase() != ExchangePhase.LOCAL) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Lets the backend connection read on (the client can take more). */
  void resumeUpstreamReads(boolean resume) {
    if (upstream != null) {
      upstream.config().setAutoRead(resume);
    }
  }

  /** The client connection closed. */
  void downstreamClosed() {
    if (relay != null) {
      relay.abort();
    }
    if (!ex.responseComplete) {
      closeUpstream();
      attempts.abandon();
    }
    end();
  }
}
