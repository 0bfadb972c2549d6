package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.portcullis.dataplane.resilience.OverflowException;
import io.portcullis.dataplane.resilience.RetryDecision;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One try of a forwarded request on one backend connection: acquires the connection, writes the
 * request head, whatever a retry must send again and the body parts held so far, then streams the
 * rest of the body as it comes; hears the connection's response and failures and reports them to
 * its {@link Forwarding}, which decides about retries.
 */
final class UpstreamAttempt implements UpstreamHandler.Listener {
  private static final Logger log = LoggerFactory.getLogger(UpstreamAttempt.class);

  private final Forwarding fwd;
  private final Exchange ex;
  private final ChannelHandlerContext ctx;
  private final Endpoint endpoint;
  private final HttpRequest request;
  private Channel upstream;
  private UpstreamHandler handler;
  /** Something was written upstream that the end of the read batch flushes. */
  private boolean wroteUpstream;
  /** The keep-alive race was retried once on a fresh connection. */
  private boolean retriedStale;
  /** A 1xx the backend sent is being dropped (we answered 100 ourselves). */
  private boolean skippingInformational;
  private long sentNanos;
  private boolean cancelled;

  UpstreamAttempt(Forwarding fwd, Exchange ex, Endpoint endpoint, HttpRequest request) {
    this.fwd = fwd;
    this.ex = ex;
    this.ctx = ex.ctx;
    this.endpoint = endpoint;
    this.request = request;
  }

  long sentNanos() {
    return sentNanos;
  }

  boolean connected() {
    return upstream != null;
  }

  /** Asks for a connection (pooled or new). */
  void connect() {
    Future<Channel> acquired =
        ex.services.upstreams().acquire(ctx.channel().eventLoop(), endpoint, fwd.cluster());
    if (acquired.isDone()) {
      onAcquired(acquired);
    } else {
      acquired.addListener(f -> onAcquired(acquired));
    }
  }

  private void onAcquired(Future<Channel> acquired) {
    if (cancelled || !fwd.waitsFor(this)) {
      if (acquired.isSuccess()) {
        acquired.getNow().close();
      }
      return;
    }
    if (!acquired.isSuccess()) {
      Throwable cause = acquired.cause();
      if (cause instanceof OverflowException o) {
        fwd.refusedByBreaker(o.overflow());
        return;
      }
      if (cause instanceof ConnectTimeoutException) {
        ex.services.resilience().timeout(fwd.cluster().name(), "connect");
      }
      log.debug("connect to {} failed: {}", endpoint, cause.toString());
      fwd.attemptFailed(RetryDecision.Condition.CONNECT_FAILURE);
      return;
    }
    upstream = acquired.getNow();
    handler = UpstreamHandler.of(upstream);
    handler.attach(this);
    upstream.config().setAutoRead(true);
    upstream.write(request, upstream.voidPromise());
    sentNanos = System.nanoTime();
    ex.sendContinue();
    for (HttpContent part : fwd.retryState().resend()) {
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
      fwd.requestSent();
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

  /** Writes a body part upstream; the caller checked {@link #connected}. */
  void sendPart(HttpContent content, boolean last) {
    send(content);
    wroteUpstream = true;
    if (!last && !upstream.isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
    if (last) {
      fwd.requestSent();
      if (ex.responseComplete) {
        upstream.flush(); // the backend answered before it had the whole body
      }
    }
  }

  private void send(HttpContent content) {
    fwd.retryState().sending(content);
    upstream.write(content, upstream.voidPromise());
  }

  void flush() {
    if (upstream != null && wroteUpstream) {
      wroteUpstream = false;
      upstream.flush();
    }
  }

  // ---- the connection's response and failures ----

  @Override
  public void onResponse(HttpObject msg) {
    if (msg instanceof HttpResponse response && onResponseHead(response)) {
      return;
    }
    if (msg instanceof HttpContent content) {
      onResponseContent(content);
    }
  }

  /** Returns true when the head was consumed (a failure, or the forwarding took it). */
  private boolean onResponseHead(HttpResponse response) {
    if (response.decoderResult().isFailure()) {
      ReferenceCountUtil.release(response);
      failed();
      return true;
    }
    int code = response.status().code();
    if (code >= 100 && code < 200 && code != 101) {
      skippingInformational = true; // we answered 100 ourselves; drop the backend's
      return false;
    }
    if (code == 101 && !ex.upgrade) {
      ReferenceCountUtil.release(response);
      failed();
      return true;
    }
    return fwd.responseHead(response);
  }

  private void onResponseContent(HttpContent content) {
    boolean last = content instanceof LastHttpContent;
    if (skippingInformational) {
      content.release();
      skippingInformational = !last;
      return;
    }
    if (content.decoderResult().isFailure()) {
      content.release();
      failed();
      return;
    }
    fwd.responseContent(content, last);
  }

  @Override
  public void onResponseReadComplete() {
    fwd.responseReadComplete();
  }

  @Override
  public void onUpstreamWritabilityChanged() {
    if (upstream != null && upstream.isWritable() && !ex.requestComplete
        && ex.phase() != ExchangePhase.LOCAL) {
      ctx.channel().config().setAutoRead(true);
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
      connect();
      return;
    }
    failed();
  }

  private boolean canRetryOnFreshConnection() {
    return !retriedStale
        && fwd.waitsFor(this)
        && !ex.hasBody
        && !ex.upgrade
        // The backend may have read it before closing: only what is safe to send twice.
        && (RetryDecision.idempotent(ex.request.method().name()) || fwd.retryPolicy().nonIdempotent())
        && handler != null
        && handler.reused();
  }

  /** The backend broke or spoke garbage. */
  private void failed() {
    fwd.upstreamFailed(handler != null && handler.refused());
  }

  // ---- the connection ----

  /** Lets the backend connection read, or pauses it (the client cannot take more). */
  void autoRead(boolean read) {
    if (upstream != null) {
      upstream.config().setAutoRead(read);
    }
  }

  /** Takes the connection away from this try (it goes to the pool, a discarder or a tunnel). */
  Channel detach() {
    Channel ch = upstream;
    if (ch != null) {
      handler.detach();
      upstream = null;
    }
    return ch;
  }

  /** Hands a response nobody will see to a listener that reads it to its end and drops it. */
  void discard(HttpResponse response, boolean reusable) {
    Channel ch = detach();
    new DiscardingListener(ex.services.upstreams(), endpoint, ch, reusable, ended -> {})
        .attach()
        .onResponse(response);
  }

  /** The response ended: the connection goes back to the pool when it can carry another. */
  void release(boolean reusable) {
    Channel ch = detach();
    if (ch == null) {
      return;
    }
    if (reusable && ex.requestComplete && ch.isActive()) {
      ch.config().setAutoRead(true);
      ex.services.upstreams().release(ch.eventLoop(), endpoint, ch);
    } else {
      ch.close();
    }
  }

  /** The try is over without a usable connection (failed, timed out, or no longer wanted). */
  void close() {
    cancelled = true;
    Channel ch = detach();
    if (ch != null) {
      ch.close();
    }
  }
}
