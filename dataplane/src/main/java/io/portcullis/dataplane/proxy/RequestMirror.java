package io.portcullis.dataplane.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.health.Failure;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.ResilienceMetrics;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * A copy of one request on its way to a shadow cluster: fire and forget. The copy's body is
 * collected (retained slices of the parts the real request sends, no copy of the bytes) only when
 * its declared length is within the limit; chunked or bigger bodies are not mirrored (counted as
 * {@code skipped_body}). The shadow's answer is read and dropped, its failures only counted, and
 * nothing here ever waits on or touches the client's exchange.
 */
final class RequestMirror {
  private final ClusterRuntime cluster;
  private final HttpRequest head;
  private final ResilienceMetrics metrics;
  private CompositeByteBuf body;

  private RequestMirror(ClusterRuntime cluster, HttpRequest head, ResilienceMetrics metrics) {
    this.cluster = cluster;
    this.head = head;
    this.metrics = metrics;
  }

  /**
   * A mirror for this request when the route asks for one and the dice say so, or null.
   *
   * @param upstreamRequest the request as it goes to the real backend; its headers are copied now
   */
  static RequestMirror start(
      RouteDecision.MirrorTarget target,
      HttpRequest upstreamRequest,
      boolean hasBody,
      long maxBodyBytes,
      ResilienceMetrics metrics) {
    if (target == null || ThreadLocalRandom.current().nextInt(100) >= target.percent()) {
      return null;
    }
    if (hasBody
        && (HttpUtil.isTransferEncodingChunked(upstreamRequest)
            || HttpUtil.getContentLength(upstreamRequest, Long.MAX_VALUE) > maxBodyBytes)) {
      metrics.mirror(target.cluster().name(), "skipped_body");
      return null;
    }
    HttpHeaders headers = upstreamRequest.headers().copy();
    String host = headers.get(HttpHeaderNames.HOST);
    if (host != null) {
      headers.set(HttpHeaderNames.HOST, shadowHost(host));
    }
    HttpRequest head =
        new DefaultFullHttpRequest(
            HttpVersion.HTTP_1_1, upstreamRequest.method(), upstreamRequest.uri(),
            Unpooled.EMPTY_BUFFER, headers, EmptyHttpHeaders.INSTANCE);
    return new RequestMirror(target.cluster(), head, metrics);
  }

  /** Envoy's convention: {@code shop.example.com:8080} becomes {@code shop.example.com-shadow:8080}. */
  static String shadowHost(String host) {
    // The port starts at the last colon, unless that colon is inside an IPv6 literal.
    int colon = host.lastIndexOf(':');
    boolean hasPort = colon > 0 && (host.startsWith("[") ? host.charAt(colon - 1) == ']' : host.indexOf(':') == colon);
    return hasPort
        ? host.substring(0, colon) + "-shadow" + host.substring(colon)
        : host + "-shadow";
  }

  /** Keeps a slice of a body part the real request is about to send. */
  void add(HttpContent content, Channel downstream) {
    ByteBuf bytes = content.content();
    if (!bytes.isReadable()) {
      return;
    }
    if (body == null) {
      body = downstream.alloc().compositeBuffer();
    }
    body.addComponent(true, bytes.retainedSlice());
  }

  /** Drops the collected body: the request will not be mirrored after all. */
  void abandon() {
    if (body != null) {
      body.release();
      body = null;
    }
  }

  /**
   * Sends the copy from {@code loop} (the client connection's loop).
   *
   * @param timeoutMillis the shadow's answer is given up after this long (its connection closes)
   */
  void send(EventLoop loop, Upstreams connector, long timeoutMillis) {
    ByteBuf content = body == null ? Unpooled.EMPTY_BUFFER : body;
    body = null;
    String name = cluster.name();
    ClusterLimits limits = cluster.limits();
    if (!limits.tryStartRequest()) {
      content.release();
      metrics.overflow(name, Overflow.MAX_REQUESTS);
      metrics.mirror(name, "failed");
      return;
    }
    UpstreamEndpoint endpoint = cluster.pick();
    if (endpoint == null) {
      content.release();
      limits.requestEnded();
      metrics.mirror(name, "failed");
      return;
    }
    endpoint.requestStarted();
    Future<Channel> acquired =
        connector.acquire(loop, endpoint.endpoint(), cluster);
    acquired.addListener(
        f -> {
          if (!f.isSuccess()) {
            content.release();
            finished(endpoint, limits, Failure.CONNECT_FAILURE);
            return;
          }
          Channel ch = acquired.getNow();
          DiscardingListener listener =
              new DiscardingListener(
                  connector, endpoint.endpoint(), ch, true,
                  ended -> finished(endpoint, limits, ended ? null : Failure.RESET));
          listener.attach();
          ScheduledFuture<?> timer =
              loop.schedule(listener::timeout, timeoutMillis, TimeUnit.MILLISECONDS);
          ch.closeFuture().addListener(c -> timer.cancel(false));
          FullHttpRequest request =
              new DefaultFullHttpRequest(
                  HttpVersion.HTTP_1_1, head.method(), head.uri(), content,
                  head.headers().copy(), EmptyHttpHeaders.INSTANCE);
          HttpUtil.setTransferEncodingChunked(request, false);
          HttpUtil.setContentLength(request, content.readableBytes());
          ch.writeAndFlush(request)
              .addListener(
                  w -> {
                    if (!w.isSuccess()) {
                      ch.close();
                    }
                  });
        });
  }

  /**
   * The shadow endpoint's part ended ({@code failure} null: its answer was read to the end). It
   * counts for the shadow cluster's outlier detection like any request, so a broken shadow endpoint
   * is ejected too. (A timeout is reported as a reset: the listener does not say which it was.)
   */
  private void finished(UpstreamEndpoint endpoint, ClusterLimits limits, Failure failure) {
    endpoint.requestFinished(failure != null);
    if (failure == null) {
      cluster.outliers().reportSuccess(endpoint);
    } else {
      cluster.outliers().reportFailure(endpoint, failure);
    }
    limits.requestEnded();
    metrics.mirror(cluster.name(), failure == null ? "sent" : "failed");
  }
}
