package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.buffer.Unpooled;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.upstream.UpstreamKey;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.RetryPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A proxy handler on an {@link EmbeddedChannel} whose backend connections are EmbeddedChannels
 * too: a test writes the client's requests and the backends' responses as HTTP objects and reads
 * what each side got, with no socket and no thread. Every message read must be released
 * (leak detection runs at PARANOID); {@link #finish} checks nothing is left over.
 */
final class EmbeddedProxy implements Upstreams {
  final EmbeddedChannel client;
  /** Every backend connection handed out, in order. */
  final List<EmbeddedChannel> connections = new ArrayList<>();
  /** Connections given back to the "pool". */
  final List<Channel> released = new ArrayList<>();
  /** Failures the next acquisitions end with (a refused connect, an open circuit breaker). */
  final Deque<Throwable> failNext = new ArrayDeque<>();
  /** The endpoint of every acquisition, failed ones included. */
  final List<Endpoint> asked = new ArrayList<>();
  /** Hand out connections that already served a request (as from the pool). */
  boolean pooled;
  final ClusterRuntime cluster = new ClusterRuntime(new Cluster("c", List.of(
      new Endpoint("10.0.0.1", 80), new Endpoint("10.0.0.2", 80))));
  private RouteDecision decision;

  EmbeddedProxy() {
    ExchangeServices services = new ExchangeServices(
        ProxySettings.builder().build(), new ProxyMetrics(), this, "http");
    client = new EmbeddedChannel(new ProxyHandler(services, head -> decision, false));
  }

  /** Every request forwards to the two-endpoint cluster with {@code filters} and {@code retries}. */
  EmbeddedProxy forwardWith(RetryPolicy retries, HttpFilter... filters) {
    decision = new RouteDecision.Forward("r", cluster, "/upstream", 0, 0, retries, null,
        new FilterChain(List.of(filters)));
    return this;
  }

  EmbeddedProxy forward(HttpFilter... filters) {
    return forwardWith(null, filters);
  }

  @Override
  public Future<Channel> acquire(EventLoop loop, Endpoint endpoint, ClusterRuntime cluster) {
    asked.add(endpoint);
    Throwable failure = failNext.poll();
    if (failure != null) {
      return ImmediateEventExecutor.INSTANCE.newFailedFuture(failure);
    }
    UpstreamHandler handler = new UpstreamHandler(null, UpstreamKey.plain(endpoint));
    EmbeddedChannel ch = new EmbeddedChannel(handler);
    if (pooled) {
      handler.attach(new DiscardingListener(this, endpoint, ch, false, ended -> {}));
      handler.detach();
    }
    connections.add(ch);
    return ImmediateEventExecutor.INSTANCE.newSucceededFuture(ch);
  }

  @Override
  public void release(EventLoop loop, Endpoint endpoint, Channel channel) {
    released.add(channel);
  }

  /** A filter with only a request phase. */
  static HttpFilter requestFilter(
      java.util.function.Function<io.portcullis.dataplane.filter.FilterContext,
          io.portcullis.dataplane.filter.FilterAction> phase) {
    return new HttpFilter() {
      @Override
      public io.portcullis.dataplane.filter.FilterAction onRequest(
          io.portcullis.dataplane.filter.FilterContext ctx) {
        return phase.apply(ctx);
      }
    };
  }

  static FullHttpRequest get(String uri) {
    FullHttpRequest r = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
    r.headers().set("host", "shop.example.com");
    return r;
  }

  static FullHttpResponse response(int status, String body) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
        HttpResponseStatus.valueOf(status), Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    r.headers().setInt("content-length", r.content().readableBytes());
    return r;
  }

  /** Lets scheduled work (retry back-offs, timeouts) run as if {@code millis} passed. */
  void advance(long millis) {
    client.advanceTimeBy(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
    client.runScheduledPendingTasks();
  }

  /** Reads the request head and end a backend connection got (and releases them). */
  HttpRequestSeen takeRequest(int connection) {
    io.netty.handler.codec.http.HttpRequest head =
        readOutbound(connection(connection), io.netty.handler.codec.http.HttpRequest.class);
    Object end;
    while ((end = connection(connection).readOutbound()) != null) {
      ReferenceCountUtil.release(end);
    }
    return new HttpRequestSeen(head.method().name(), head.uri());
  }

  record HttpRequestSeen(String method, String uri) {}

  /** The backend connection number {@code i}. */
  EmbeddedChannel connection(int i) {
    return connections.get(i);
  }

  /** Reads and releases everything a channel wrote; returns the messages' types and text. */
  static <T> T readOutbound(EmbeddedChannel ch, Class<T> type) {
    Object msg = ch.readOutbound();
    if (!type.isInstance(msg)) {
      ReferenceCountUtil.release(msg);
      throw new AssertionError("expected a " + type.getSimpleName() + " but got " + msg);
    }
    return type.cast(msg);
  }

  /** Closes everything and releases what is left in the channels. */
  void finish() {
    client.finishAndReleaseAll();
    connections.forEach(EmbeddedChannel::finishAndReleaseAll);
  }
}
