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
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.portcullis.snapshot.Endpoint;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
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
    UpstreamPool pool = pools.get(loop);
    Channel pooled = pool.poll(endpoint);
    if (pooled != null) {
      return loop.newSucceededFuture(pooled);
    }
    Promise<Channel> promise = loop.newPromise();
    template
        .clone(loop)
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
        .connect(endpoint.address(), endpoint.port())
        .addListener(
            (ChannelFuture f) -> {
              if (f.isSuccess()) {
                promise.setSuccess(f.channel());
              } else {
                promise.setFailure(f.cause());
              }
            });
    return promise;
  }

  /** Returns a connection whose last response was fully read and that may be kept alive. */
  void release(EventLoop loop, Endpoint endpoint, Channel ch) {
    pools.get(loop).offer(endpoint, ch);
  }

  int idleCount(EventLoop loop, Endpoint endpoint) {
    return pools.get(loop).idleCount(endpoint);
  }

  /** Closes idle connections to endpoints not in {@code live}, each pool on its own loop. */
  void retainOnly(Set<Endpoint> live) {
    Set<Endpoint> copy = Set.copyOf(live);
    pools.forEach(
        (loop, pool) -> {
          if (!loop.isShuttingDown()) {
            loop.execute(() -> pool.retainOnly(copy));
          }
        });
  }

  /** Closes every idle connection, each on its own loop. */
  void closeIdle() {
    pools.forEach((loop, pool) -> loop.execute(pool::closeAll));
  }
}
