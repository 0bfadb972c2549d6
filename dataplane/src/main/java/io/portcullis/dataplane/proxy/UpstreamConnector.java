package io.portcullis.dataplane.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.cluster.ConnectionKeys;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.OverflowException;
import io.portcullis.dataplane.upstream.ClientTlsContexts;
import io.portcullis.dataplane.upstream.H2Pool;
import io.portcullis.dataplane.upstream.Handshakes;
import io.portcullis.dataplane.upstream.UpstreamKey;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.dataplane.http.IdleTimeout;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Hands out backend connections: a pooled keep-alive one when the loop has one for the endpoint,
 * else a new one, always registered on the caller's event loop so the downstream and upstream
 * halves of a request never cross threads.
 *
 * <p>How a connection is made follows the cluster's policy ({@link UpstreamKey}): TLS with SNI and
 * verification when the cluster has {@code tls}; for HTTP/2 clusters the "connection" handed out
 * is a stream of a shared multiplexed connection ({@link H2Pool}) that speaks the same HTTP/1
 * objects, so the proxy does not know the difference. Releasing an HTTP/2 stream ends it.
 */
final class UpstreamConnector implements Upstreams {
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
  private final Map<EventExecutor, H2Pool> h2Pools;
  private final ClientTlsContexts tls = new ClientTlsContexts();
  private final Bootstrap template;
  private final long idleNanos;

  UpstreamConnector(EventLoopGroup group, Transport transport, ProxySettings settings) {
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
    Map<EventExecutor, UpstreamPool> byLoop = new HashMap<>();
    Map<EventExecutor, H2Pool> h2ByLoop = new HashMap<>();
    for (EventExecutor loop : group) {
      byLoop.put(loop, new UpstreamPool(settings.maxIdleUpstreamPerEndpoint()));
      h2ByLoop.put(loop, new H2Pool((EventLoop) loop, template, tls, idleNanos));
    }
    this.pools = Map.copyOf(byLoop);
    this.h2Pools = Map.copyOf(h2ByLoop);
  }

  /** A plain HTTP/1.1 connection to {@code endpoint} on {@code loop}; must be called on it. */
  Future<Channel> acquire(EventLoop loop, Endpoint endpoint) {
    return acquire(loop, UpstreamKey.plain(endpoint), null, 0);
  }

  /**
   * A connection to {@code endpoint} as {@code cluster}'s policy says, within its circuit breakers
   * and with its connect timeout; call on {@code loop}.
   */
  @Override
  public Future<Channel> acquire(EventLoop loop, Endpoint endpoint, ClusterRuntime cluster) {
    return acquire(
        loop, UpstreamKey.of(endpoint, cluster.name(), cluster.policy()), cluster.limits(),
        cluster.policy().connectTimeoutMillis());
  }

  /**
   * A connection to {@code key} on {@code loop}; must be called on {@code loop}. A pooled HTTP/1.1
   * connection is always handed out; a new one needs a free connection slot and a free
   * pending-request slot (held until the connection is usable or failed), else the future fails at
   * once with an {@link OverflowException}. An HTTP/2 stream counts only against the cluster's
   * request limit (taken by the caller): its connection is shared.
   *
   * @param limits the cluster's counters, or null for none
   * @param connectTimeoutMillis 0 means the listener's default
   */
  Future<Channel> acquire(
      EventLoop loop, UpstreamKey key, ClusterLimits limits, long connectTimeoutMillis) {
    if (key.h2()) {
      return h2Pools.get(loop).openStream(key, p -> p.addLast("upstream", new UpstreamHandler(null, key)));
    }
    UpstreamPool pool = pools.get(loop);
    Channel pooled = pool.poll(key);
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
    ChannelFuture connect;
    try {
      connect =
          bootstrap
              .handler(
                  new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                      if (key.tls() != null) {
                        ch.pipeline().addLast("tls", tls.newHandler(key, ch.alloc()));
                      }
                      ch.pipeline()
                          .addLast(
                              "http-codec",
                              new UpstreamHttpCodec(
                                  MAX_RESPONSE_LINE, MAX_RESPONSE_HEADER_SIZE, MAX_RESPONSE_CHUNK_SIZE))
                          .addLast("idle", new IdleTimeout(idleNanos))
                          .addLast("upstream", new UpstreamHandler(pool, key));
                    }
                  })
              .connect(key.endpoint().address(), key.endpoint().port());
    } catch (RuntimeException e) { // unusable TLS settings
      if (limits != null) {
        limits.pendingEnded();
        limits.connectionClosed();
      }
      return loop.newFailedFuture(e);
    }
    if (limits != null) {
      connect.channel().attr(LIMITS).set(limits);
      // A failed connect closes the channel too, so every slot taken above is given back once.
      connect.channel().closeFuture().addListener(f -> limits.connectionClosed());
      promise.addListener(f -> limits.pendingEnded());
    }
    Handshakes.whenUsable(connect, null, promise);
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

  /**
   * Returns a connection whose last response was fully read and that may be kept alive. An
   * HTTP/2 stream is done then: it is closed (a no-op when both sides ended it).
   */
  @Override
  public void release(EventLoop loop, Endpoint endpoint, Channel ch) {
    UpstreamHandler handler = UpstreamHandler.of(ch);
    if (handler == null || handler.key().h2()) {
      ch.close();
      return;
    }
    UpstreamHttpCodec codec = ch.pipeline().get(UpstreamHttpCodec.class);
    if (codec == null || !codec.framingIntact()) {
      // The backend sent more than the response it owed: the rest must reach no other request.
      ch.close();
      return;
    }
    pools.get(loop).offer(handler.key(), ch);
  }

  int idleCount(EventLoop loop, Endpoint endpoint) {
    return pools.get(loop).idleCount(UpstreamKey.plain(endpoint));
  }

  int idleCount(EventLoop loop, UpstreamKey key) {
    return pools.get(loop).idleCount(key);
  }

  /** HTTP/2 connections to {@code key} open on {@code loop}; call on {@code loop}. */
  int h2ConnectionCount(EventLoop loop, UpstreamKey key) {
    return h2Pools.get(loop).connectionCount(key);
  }

  /**
   * Closes the idle connections a config change retired, each pool on its own loop: after a delta
   * only the keys it retired are looked up; after a whole config every pooled key is checked.
   */
  void retire(ConnectionKeys.Retired retired) {
    Consumer<UpstreamPool> close;
    if (retired instanceof ConnectionKeys.Drop drop) {
      if (drop.gone().isEmpty()) {
        return;
      }
      close = pool -> pool.closeIdle(drop.gone());
    } else {
      Set<UpstreamKey> live = ((ConnectionKeys.KeepOnly) retired).live();
      close = pool -> pool.retainOnly(live);
    }
    pools.forEach(
        (loop, pool) -> {
          if (!loop.isShuttingDown()) {
            loop.execute(() -> close.accept(pool));
          }
        });
  }

  /** Closes every idle connection, each on its own loop. */
  void closeIdle() {
    pools.forEach((loop, pool) -> loop.execute(pool::closeAll));
    h2Pools.forEach((loop, pool) -> loop.execute(pool::closeIdle));
  }
}
