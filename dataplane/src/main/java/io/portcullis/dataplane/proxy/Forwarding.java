package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.health.Failure;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.RetryDecision;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.RetryPolicy;
import java.util.concurrent.TimeUnit;

/**
 * The upstream exchange, the terminal step of a route that forwards: the retry loop. Sends the
 * request to the decision's cluster within its circuit breakers, one {@link UpstreamAttempt} at a
 * time on an endpoint not tried yet when there is one ({@link Attempts}), and tries again under the
 * route's retry policy ({@link Retries}). Nothing is retried once a response head was accepted;
 * from there the {@link ResponseRelay} streams the response to the client. Timeouts (per try,
 * total, idle) are watched by the connection's {@link ExchangeDeadlines}.
 */
final class Forwarding implements ExchangeDeadlines.Target {
  private final Exchange ex;
  private final RouteDecision.Forward decision;
  private final ClusterRuntime cluster;
  private final ClusterLimits limits;
  private final Attempts attempts;
  private final Retries retries;
  /** The total timeout runs until the response ends, not just until its head. */
  private final boolean totalCoversBody;
  private HttpRequest upstreamRequest;
  private UpstreamAttempt attempt;
  private boolean holdsRequestSlot;
  private long upstreamNanos;
  private ScheduledFuture<?> retryTimer;
  private RequestMirror mirror;
  /** The accepted response on its way to the client; null before its head. */
  private ResponseRelay relay;
  private boolean ended;

  Forwarding(Exchange ex, RouteDecision.Forward decision) {
    this.ex = ex;
    this.decision = decision;
    this.cluster = decision.cluster();
    this.limits = cluster.limits();
    this.attempts = new Attempts(cluster);
    this.retries = new Retries(decision.retries(), limits, ex.request.method().name(),
        ex.hasBody, ex.services.settings().maxReplayBodyBytes());
    this.totalCoversBody = decision.timeoutMillis() > 0;
  }

  ClusterRuntime cluster() {
    return cluster;
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

  RetryPolicy retryPolicy() {
    return retries.policy();
  }

  private static long ms(long millis) {
    return TimeUnit.MILLISECONDS.toNanos(millis);
  }

  /** Whether {@code a} is the current try and still waits for a response head. */
  boolean waitsFor(UpstreamAttempt a) {
    return a == attempt && relay == null && ex.current() && ex.phase() == ExchangePhase.FORWARDING;
  }

  // ---- sending ----

  void start() {
    ProxySettings settings = ex.services.settings();
    ex.down.deadlines().start(this, System.nanoTime(),
        totalCoversBody ? ms(decision.timeoutMillis()) : settings.responseTimeout().toNanos(),
        decision.idleTimeoutMillis() > 0
            ? ms(decision.idleTimeoutMillis()) : settings.exchangeIdleTimeout().toNanos());
    if (!limits.tryStartRequest()) {
      refusedByBreaker(Overflow.MAX_REQUESTS);
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

  /** A circuit breaker refused the request or its connection: a fast 503 that names it. */
  void refusedByBreaker(Overflow limit) {
    attempts.abandon();
    ex.services.resilience().overflow(cluster.name(), limit);
    ex.overflowed = limit;
    ex.answerError(503);
  }

  private void sendMirror() {
    RequestMirror m = mirror;
    mirror = null;
    m.send(ex.ctx.channel().eventLoop(), ex.services.upstreams(),
        ex.services.settings().responseTimeout().toMillis());
  }

  /**
   * A body part of the request: written upstream when a connection is there (returns true), else
   * left to the exchange to hold (false). The mirror sees every part either way.
   */
  boolean takesBody(HttpContent content, boolean last) {
    if (mirror != null) {
      mirror.add(content, ex.ctx.channel());
      if (last) {
        sendMirror();
      }
    }
    if (attempt == null || !attempt.connected()) {
      return false;
    }
    attempt.sendPart(content, last);
    return true;
  }

  /** What retries know of the body sent: the attempt records each part and asks what to resend. */
  Retries retryState() {
    return retries;
  }

  /** A try on a fresh endpoint. */
  private void startAttempt() {
    if (!attempts.next(ex.head, ex.clientAddressText())) {
      ex.answerError(503);
      return;
    }
    attempt = new UpstreamAttempt(this, ex, attempts.endpoint(), upstreamRequest);
    attempt.connect();
  }

  /** The whole request is on its way: the per-try timeout runs from here, as in Envoy. */
  void requestSent() {
    long perTry = retries.policy().perTryTimeoutMillis();
    if (perTry > 0 && relay == null) {
      ex.down.deadlines().armTry(System.nanoTime(), TimeUnit.MILLISECONDS.toNanos(perTry));
    }
  }

  // ---- failed tries and retries ----

  /** The current try failed before a response head was accepted: retry, or answer the failure. */
  void attemptFailed(RetryDecision.Condition condition) {
    ex.down.deadlines().disarmTry();
    attempt.close();
    attempts.end(Attempts.failureOf(condition));
    retryOrAnswer(condition);
  }

  /**
   * The backend broke or spoke garbage. Before a response head: a failed try (or, for a stream an
   * HTTP/2 backend refused unprocessed, a retry as a connect failure that is no fault of the
   * endpoint); after it: the client connection closes, the only way to say the body is cut.
   */
  void upstreamFailed(boolean refusedUnprocessed) {
    if (relay == null && refusedUnprocessed) {
      ex.down.deadlines().disarmTry();
      attempt.close();
      attempts.abandon();
      retryOrAnswer(RetryDecision.Condition.CONNECT_FAILURE);
      return;
    }
    if (relay == null) {
      attemptFailed(RetryDecision.Condition.RESET);
      return;
    }
    attempt.close();
    attempts.end(Failure.RESET);
    if (ex.current()) {
      closeDownstream();
    }
  }

  private void retryOrAnswer(RetryDecision.Condition condition) {
    if (!ex.current() || ex.phase() != ExchangePhase.FORWARDING) {
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
    if (!ex.current() || ex.phase() != ExchangePhase.FORWARDING) {
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
    retryTimer = ex.ctx.executor().schedule(this::retryNow, backoffMillis, TimeUnit.MILLISECONDS);
  }

  private void retryNow() {
    retryTimer = null;
    if (ex.current() && ex.phase() == ExchangePhase.FORWARDING) {
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
      if (relay == null && attempt != null && attempt.connected()) {
        attemptFailed(RetryDecision.Condition.TIMEOUT);
      }
      return;
    }
    if (attempt != null) {
      attempt.close();
    }
    attempts.end(Failure.TIMEOUT);
    if (relay == null) {
      ex.answerError(504);
    } else {
      closeDownstream();
    }
  }

  // ---- the response ----

  /**
   * The current try's response head (not 1xx). A retriable status is drained and retried when
   * the policy allows; otherwise the head is accepted and relayed. Returns true when consumed.
   */
  boolean responseHead(HttpResponse response) {
    int code = response.status().code();
    RetryDecision.Condition failure = RetryDecision.Condition.ofStatus(code);
    if (failure != null) {
      long backoff = retryBackoff(failure);
      if (backoff >= 0) {
        ex.down.deadlines().disarmTry();
        attempts.end(Failure.http(code));
        attempt.discard(response, ex.requestComplete);
        scheduleRetry(failure, backoff);
        return true;
      }
    }
    ex.down.deadlines().disarmTry();
    if (!totalCoversBody) {
      ex.down.deadlines().disarmTotal();
    }
    retries.noMore();
    upstreamNanos = System.nanoTime() - attempt.sentNanos();
    ex.services.metrics().upstreamLatency(cluster.name(), upstreamNanos);
    relay = new ResponseRelay(ex, this, HttpUtil.isKeepAlive(response));
    return relay.begin(response);
  }

  /** A filter replaced the accepted response: the backend's body is drained and dropped. */
  void discardReplaced(HttpResponse response, boolean reusable) {
    int status = response.status().code();
    attempts.end(status >= 500 ? Failure.http(status) : null);
    attempt.discard(response, ex.requestComplete && reusable);
  }

  void responseContent(HttpContent content, boolean last) {
    if (relay == null || ex.phase() != ExchangePhase.RELAYING) {
      content.release();
      return;
    }
    ex.down.deadlines().activity(System.nanoTime());
    relay.content(content, last);
  }

  void responseReadComplete() {
    if (relay != null) {
      relay.flush(); // writes a head held back for its first body part, then flushes
    } else {
      ex.ctx.flush();
    }
  }

  /** The status is out already; closing is the only way to say the body is incomplete. */
  private void closeDownstream() {
    relay.abort();
    ex.closeDownstream();
  }

  // ---- connection bookkeeping ----

  /** The response ended: the try succeeded (a 5xx still counts against the endpoint). */
  void responseEnded(int status, boolean reusable) {
    ex.down.deadlines().disarmTry();
    attempts.end(status >= 500 ? Failure.http(status) : null);
    attempt.release(reusable);
    end();
  }

  /** Protocols were switched: the backend connection leaves this exchange for the tunnel. */
  Channel handOverUpstream() {
    attempts.end(null);
    end();
    return attempt.detach();
  }

  /** Lets the backend connection read on, or pauses it (the client cannot take more). */
  void upstreamAutoRead(boolean read) {
    if (attempt != null) {
      attempt.autoRead(read);
    }
  }

  void flushUpstream() {
    if (attempt != null) {
      attempt.flush();
    }
  }

  void downstreamWritabilityChanged() {
    if (ex.ctx.channel().isWritable() && !ex.responseComplete) {
      upstreamAutoRead(true);
    }
  }

  /** The client connection closed. */
  void downstreamClosed() {
    if (relay != null) {
      relay.abort();
    }
    if (!ex.responseComplete && attempt != null) {
      attempt.close();
      attempts.abandon();
    }
    end();
  }

  /**
   * A filter stopped the request before its body ended: the backend must never take the part it
   * got for a whole request, so its connection closes (as when the client goes away).
   */
  void abandonRequest() {
    downstreamClosed();
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
}
