package io.portcullis.dataplane.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.OverflowException;
import io.portcullis.snapshot.Endpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Hands out backend connections: a pooled keep-alive one when the loop has one for the endpoint,
 * else a new one, always registered on the caller's event loop so the downstream and upstream
 * halves of a request never cross threads.
 */
final class UpstreamConnector {
  /** Backends may send bigger heads than we accept from clients. */
  private static final int MAX_RESPONSE_HEADER_SIZE = 64 * 1024;
  private static final int MAX_RESPONSE_LINE = 8 * 1024;
  static final int MAX_CHUNK_SIZE = 16 * 1024;
  /**
   * Response bodies are cut into parts of at most this size. The parts are slices of the socket
   * read (no copy, nothing allocated by this size), and each part is one write through the client
   * pipeline, so matching the largest socket read (64 KiB) means fewer, larger writes.
   */
  static final int MAX_RESPONSE_CHUNK_SIZE = 64 * 1024;

  /** The circuit breakers a connection counts against. */
  private static final AttributeKey<ClusterLimits> LIMITS = AttributeKey.valueOf("portcullis.limits");

  private final Map<EventExecutor, UpstreamPool> pools;
  private final Bootstrap template;
  private final long idleNanos;

  UpstreamConnector(EventLoopGroup group, Transport transport, ProxySettings settings) {
    Map<EventExecutor, UpstreamPool> byLoop = new HashMap<>();
    for (EventExecutor loop : group) {
      byLoop.put(loop, new UpstreamPool(settings.maxIdleUpstreamPerEndpoint()));
    }
    this.pools = Map.copyOf(byLoop);
    this.idleNanos = settings.upstreamIdleTimeout().toNanos();
    this.template =
        new Bootstrap()
            .channel(transport.clientChannel())
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.SO_KEEPALIVE, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
            .option(
                ChannelOption.CONNECT_TIMEOUT_MILLIS,
                (int) Math.min(Integer.MAX_VALUE, settings.upstreamConnectTimeout().toMillis()));
  }

  /** A connection to {@code endpoint} on {@code loop}; must be called on {@code loop}. */
  Future<Channel> acquire(EventLoop loop, Endpoint endpoint) {
    return acquire(loop, endpoint, null, 0);
  }

  /**
   * A connection to {@code endpoint} on {@code loop}, within a cluster's circuit breakers; must be
   * called on {@code loop}. A pooled connection is always handed out; a new one needs a free
   * connection slot and a free pending-request slot (held until the connect ends), else the future
   * fails at once with an {@link OverflowException}.
   *
   * @param limits the cluster's counters, or null for none
   * @param connectTimeoutMillis 0 means the listener's default
   */
  Future<Channel> acquire(
      EventLoop loop, Endpoint endpoint, ClusterLimits limits, long connectTimeoutMillis) {
    UpstreamPool pool = pools.get(loop);
    Channel pooled = pool.poll(endpoint);
    if (pooled != null) {
      return loop.newSucceededFuture(pooled);
    }
    if (limits != null) {
      if (!limits.tryOpenConnection() && !(closeIdleOf(pool, limits) && limits.tryOpenConnection())) {
        return loop.newFailedFuture(new OverflowException(Overflow.MAX_CONNECTIONS));
      }
      if (!limits.tryStartPending()) {
        limits.connectionClosed();
        return loop.newFailedFuture(new OverflowException(Overflow.MAX_PENDING_REQUESTS));
      }
    }
    Bootstrap bootstrap = template.clone(loop);
    if (connectTimeoutMillis > 0) {
      bootstrap.option(
          ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeoutMillis));
    }
    Promise<Channel> promise = loop.newPromise();
    ChannelFuture connect = bootstrap
        .handler(
            new ChannelInitializer<Channel>() {
              @Override
              protected void initChannel(Channel ch) {
                ch.pipeline()
                    .addLast(
                        "http-codec",
                        new HttpClientCodec(
                            MAX_RESPONSE_LINE, MAX_RESPONSE_HEADER_SIZE, MAX_RESPONSE_CHUNK_SIZE))
                    .addLast("idle", new IdleStateHandler(0, 0, idleNanos, TimeUnit.NANOSECONDS))
                    .addLast("upstream", new UpstreamHandler(pool, endpoint));
              }
            })
        .connect(endpoint.address(), endpoint.port());
    if (limits != null) {
      connect.channel().attr(LIMITS).set(limits);
      // A failed connect closes the channel too, so every slot taken above is given back once.
      connect.channel().closeFuture().addListener(f -> limits.connectionClosed());
    }
    connect.addListener(
            (ChannelFuture f) -> {
              if (limits != null) {
                limits.pendingEnded();
              }
              if (f.isSuccess()) {
                promise.setSuccess(f.channel());
              } else {
                promise.setFailure(f.cause());
              }
            });
    return promise;
  }

  /**
   * Idle pooled connections count against their cluster's limit; at the limit, one of them (to
   * another endpoint, on this loop) makes room rather than the request failing. Closing on the
   * loop gives the slot back at once.
   */
  private static boolean closeIdleOf(UpstreamPool pool, ClusterLimits limits) {
    return pool.closeOneIdle(ch -> ch.attr(LIMITS).get() == limits);
  }

  /** Returns a connection whose last response was fully read and that may be kept alive. */
  void release(EventLoop loop, Endpoint endpoint, Channel ch) {
    pools.get(loop).offer(endpoint, ch);
  }

  int idleCount(EventLoop loop, Endpoint endpoint) {
    return pools.get(loop).idleCount(endpoint);
  }

  /** Closes every idle connection, each on its own loop. */
  void closeIdle() {
    pools.forEach((loop, pool) -> loop.execute(pool::closeAll));
  }
}
