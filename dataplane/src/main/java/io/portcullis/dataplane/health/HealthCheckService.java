package io.portcullis.dataplane.health;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.upstream.ClientTlsContexts;
import io.portcullis.dataplane.upstream.UpstreamKey;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.HealthCheck;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Active HTTP health checks for every endpoint of every cluster whose policy has a {@code
 * healthCheck}. It is fed the clusters in service after every config change ({@link
 * ClustersListener}): endpoints that appear get a probe, endpoints that leave (or whose cluster was
 * replaced by a policy change) lose theirs. Probes run on the given event loops (the proxy's
 * workers).
 *
 * <p>Timing: an endpoint's first check comes after a random delay of up to one interval, but at
 * most {@link #MAX_FIRST_CHECK_DELAY_MILLIS}, so a new pod is admitted within about a second
 * whatever the interval; every later check adds up to 10% of the interval at random (as Envoy's
 * interval jitter), so dataplanes started together drift apart instead of checking in lockstep.
 */
public final class HealthCheckService implements ClustersListener, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HealthCheckService.class);

  /** Longest wait before a new endpoint's first check. */
  static final long MAX_FIRST_CHECK_DELAY_MILLIS = 1_000;

  private EventLoopGroup loops;
  private Bootstrap template;
  /** The proxy's own client contexts type: checks verify backends exactly as requests do. */
  private final ClientTlsContexts tlsContexts = new ClientTlsContexts();
  /** Probes by endpoint object: an endpoint object lives exactly as long as it is in its cluster. */
  private final Map<UpstreamEndpoint, HealthProbe> probes = new IdentityHashMap<>();
  private boolean closed;

  /**
   * Lets probes run from now on; clusters heard before are not checked. Call once, before the
   * first {@link #clustersChanged}.
   *
   * @param loops where checks run (they are short and never block); they stay the caller's
   * @param channelType client socket channel class matching {@code loops}' transport
   */
  public synchronized void start(EventLoopGroup loops, Class<? extends Channel> channelType) {
    if (this.loops != null) {
      throw new IllegalStateException("already started");
    }
    this.loops = loops;
    this.template =
        new Bootstrap()
            .channel(channelType)
            .option(ChannelOption.TCP_NODELAY, true)
            .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
  }

  /** Starts probes for new endpoints and stops those of endpoints that left. */
  @Override
  public synchronized void clustersChanged(List<? extends CheckedCluster> clusters) {
    if (closed || loops == null) {
      return;
    }
    Map<UpstreamEndpoint, HealthProbe> wanted = new IdentityHashMap<>();
    for (CheckedCluster cluster : clusters) {
      HealthCheck check = cluster.policy().healthCheck();
      if (check == null) {
        continue;
      }
      for (UpstreamEndpoint endpoint : cluster.endpoints()) {
        HealthProbe probe = probes.remove(endpoint);
        if (probe == null) {
          probe = newProbe(cluster, endpoint, check);
          if (probe == null) {
            continue;
          }
          probe.start(
              ThreadLocalRandom.current()
                  .nextLong(Math.min(check.intervalMillis(), MAX_FIRST_CHECK_DELAY_MILLIS)));
        }
        wanted.put(endpoint, probe);
      }
    }
    probes.values().forEach(HealthProbe::stop);
    probes.clear();
    probes.putAll(wanted);
  }

  private HealthProbe newProbe(CheckedCluster cluster, UpstreamEndpoint endpoint, HealthCheck check) {
    ClusterPolicy.UpstreamTls tls = cluster.policy().tls();
    SslContext context = null;
    String serverName = null;
    if (tls != null) {
      try {
        // Checks speak HTTP/1.1 whatever the cluster's protocol, so ALPN offers http/1.1.
        context = tlsContexts.context(tls, ClusterPolicy.Protocol.HTTP1);
      } catch (IllegalArgumentException e) {
        // Requests to this cluster will fail the same way; leaving the endpoint unchecked keeps
        // the checker from adding a second, misleading signal.
        log.warn("no health checks for cluster {}: {}", cluster.name(), e.getMessage());
        endpoint.activeHealthy(true);
        return null;
      }
      serverName = UpstreamKey.of(endpoint.endpoint(), cluster.name(), cluster.policy()).serverName();
    }
    EventLoop loop = loops.next();
    SslContext ssl = context;
    String sni = serverName;
    return new HealthProbe(
        cluster.name(),
        endpoint,
        check,
        loop,
        e -> HealthCheckRequest.send(template, loop, e.endpoint(), check, ssl, sni));
  }

  /** Failed checks of {@code endpoint} so far; 0 when it is not checked. */
  public synchronized long checkFailures(UpstreamEndpoint endpoint) {
    HealthProbe probe = probes.get(endpoint);
    return probe == null ? 0 : probe.failures();
  }

  /** Checks of {@code endpoint} so far; 0 when it is not checked. */
  public synchronized long checks(UpstreamEndpoint endpoint) {
    HealthProbe probe = probes.get(endpoint);
    return probe == null ? 0 : probe.checks();
  }

  /** Number of endpoints being checked. */
  public synchronized int probeCount() {
    return probes.size();
  }

  /** Stops every probe. The event loops belong to the caller. */
  @Override
  public synchronized void close() {
    closed = true;
    probes.values().forEach(HealthProbe::stop);
    probes.clear();
  }
}
