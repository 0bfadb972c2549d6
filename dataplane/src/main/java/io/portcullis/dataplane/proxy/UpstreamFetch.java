package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.filter.SubrequestClient.SubResponse;
import io.portcullis.dataplane.health.Failure;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.ResilienceMetrics;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * A request a filter sends on its own through a route's cluster (a cache refreshing a stale
 * response in the background): one try on one endpoint, within the cluster's circuit breakers,
 * on a pooled connection, with the answer collected whole up to a bound. It never touches the
 * client's exchange, which may be long over when the answer comes. Its outcome counts for the
 * endpoint's outlier detection like any request.
 */
final class UpstreamFetch implements UpstreamHandler.Listener {
  private final Upstreams connector;
  private final ClusterRuntime cluster;
  private final UpstreamEndpoint endpoint;
  private final int maxBytes;
  private final CompletableFuture<SubResponse> result = new CompletableFuture<>();
  private Channel channel;
  private UpstreamHandler handler;
  private ScheduledFuture<?> timer;
  private HttpResponse head;
  private final ByteArrayOutputStream body = new ByteArrayOutputStream();
  private boolean finished;

  private UpstreamFetch(
      Upstreams connector, ClusterRuntime cluster, UpstreamEndpoint endpoint, int maxBytes) {
    this.connector = connector;
    this.cluster = cluster;
    this.endpoint = endpoint;
    this.maxBytes = maxBytes;
  }

  /**
   * Sends {@code request} (released here) to an endpoint of {@code cluster} from {@code loop}.
   * Completes on {@code loop}.
   *
   * @param timeoutMillis the whole answer is given up after this long (its connection closes)
   */
  static CompletionStage<SubResponse> send(
      EventLoop loop, Upstreams connector, ClusterRuntime cluster, FullHttpRequest request,
      int maxBytes, long timeoutMillis, ResilienceMetrics metrics) {
    ClusterLimits limits = cluster.limits();
    if (!limits.tryStartRequest()) {
      request.release();
      metrics.overflow(cluster.name(), Overflow.MAX_REQUESTS);
      return CompletableFuture.failedFuture(
          new IOException("circuit breaker of cluster " + cluster.name() + " refused the request"));
    }
    UpstreamEndpoint endpoint = cluster.pick();
    if (endpoint == null) {
      request.release();
      limits.requestEnded();
      return CompletableFuture.failedFuture(
          new IOException("cluster " + cluster.name() + " has no endpoint"));
    }
    endpoint.requestStarted();
    UpstreamFetch fetch = new UpstreamFetch(connector, cluster, endpoint, maxBytes);
    Future<Channel> acquired = connector.acquire(loop, endpoint.endpoint(), cluster);
    acquired.addListener(f -> {
      if (!f.isSuccess()) {
        request.release();
        fetch.fail(Failure.CONNECT_FAILURE, f.cause());
        return;
      }
      fetch.sendOn(acquired.getNow(), request, timeoutMillis);
    });
    return fetch.result;
  }

  private void sendOn(Channel ch, FullHttpRequest request, long timeoutMillis) {
    channel = ch;
    handler = UpstreamHandler.of(ch);
    handler.attach(this);
    ch.config().setAutoRead(true);
    timer = ch.eventLoop().schedule(
        () -> fail(Failure.TIMEOUT, new IOException("no complete answer in " + timeoutMillis + " ms")),
        timeoutMillis, TimeUnit.MILLISECONDS);
    HttpUtil.setTransferEncodingChunked(request, false);
    HttpUtil.setContentLength(request, request.content().readableBytes());
    ch.writeAndFlush(request).addListener(w -> {
      if (!w.isSuccess()) {
        fail(Failure.RESET, w.cause());
      }
    });
  }

  @Override
  public void onResponse(HttpObject msg) {
    try {
      if (finished) {
        return;
      }
      if (msg.decoderResult().isFailure()) {
        fail(Failure.RESET, msg.decoderResult().cause());
        return;
      }
      if (msg instanceof HttpResponse response) {
        int code = response.status().code();
        if (code >= 100 && code < 200) {
          return; // informational; the final head follows
        }
        head = response;
      }
      if (msg instanceof HttpContent content) {
        ByteBuf bytes = content.content();
        if (body.size() + bytes.readableBytes() > maxBytes) {
          fail(Failure.RESET, new IOException("answer larger than " + maxBytes + " bytes"));
          return;
        }
        body.writeBytes(ByteBufUtil.getBytes(bytes));
        if (msg instanceof LastHttpContent) {
          succeed();
        }
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
  }

  private void succeed() {
    finished = true;
    endConnection(HttpUtil.isKeepAlive(head));
    int code = head.status().code();
    ended(code >= 500 ? Failure.http(code) : null);
    HttpHeaders headers = new DefaultHttpHeaders().add(head.headers());
    result.complete(new SubResponse(head.status().code(), headers, body.toByteArray()));
  }

  private void fail(Failure failure, Throwable cause) {
    if (finished) {
      return;
    }
    finished = true;
    endConnection(false);
    ended(failure);
    result.completeExceptionally(cause != null ? cause : new IOException(failure.toString()));
  }

  private void endConnection(boolean reusable) {
    if (timer != null) {
      timer.cancel(false);
    }
    if (channel == null) {
      return;
    }
    handler.detach();
    if (reusable && channel.isActive()) {
      connector.release(channel.eventLoop(), endpoint.endpoint(), channel);
    } else {
      channel.close();
    }
  }

  private void ended(Failure failure) {
    endpoint.requestFinished(failure != null);
    if (failure == null) {
      cluster.outliers().reportSuccess(endpoint);
    } else {
      cluster.outliers().reportFailure(endpoint, failure);
    }
    cluster.limits().requestEnded();
  }

  @Override
  public void onResponseReadComplete() {}

  @Override
  public void onUpstreamWritabilityChanged() {}

  @Override
  public void onUpstreamClosed() {
    if (!finished) {
      // The connection is gone already: nothing to release or close.
      channel = null;
      fail(Failure.RESET, new IOException("backend closed the connection"));
    }
  }

  @Override
  public void onUpstreamIdle() {
    fail(Failure.TIMEOUT, new IOException("backend idle"));
  }
}
