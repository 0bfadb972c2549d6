package io.portcullis.dataplane.proxy;

import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.snapshot.Endpoint;

/**
 * Where exchanges get backend connections: pooled per event loop and endpoint in production
 * ({@link UpstreamConnector}), handed-out {@code EmbeddedChannel}s in handler tests. An acquired
 * channel has an {@link UpstreamHandler} in its pipeline that decodes responses into HTTP objects.
 */
interface Upstreams {

  /**
   * A connection to {@code endpoint} as {@code cluster}'s policy says (within its circuit breakers,
   * with its connect timeout); called on {@code loop}. Fails with an {@code OverflowException} when
   * a circuit breaker refuses.
   */
  Future<Channel> acquire(EventLoop loop, Endpoint endpoint, ClusterRuntime cluster);

  /** Gives back a connection whose response was read to its end and that may be kept alive. */
  void release(EventLoop loop, Endpoint endpoint, Channel channel);
}
