package io.portcullis.dataplane.clientaddress;

import io.netty.channel.Channel;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.InetAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first thing every accepted connection meets, before TLS and before any HTTP: the PROXY
 * protocol header when the listeners expect one, then the per-client connection limit counted on
 * the resulting client address. One per proxy server, shared by its listeners, so the limit counts
 * a client's connections to both ports together; an HTTP/2 connection counts once however many
 * streams it carries.
 */
public final class ConnectionAdmission {
  private static final Logger log = LoggerFactory.getLogger(ConnectionAdmission.class);

  static final String DECODER = "proxy-protocol-decoder";
  static final String HANDLER = "proxy-protocol";
  /**
   * Bytes of TLVs a v2 header may carry. Cloud load balancers send a few dozen (AWS: the VPC
   * endpoint id; GCP: the PSC connection id); Netty's default (64 KiB) is a lot to buffer for a
   * peer that has not said who it is.
   */
  static final int MAX_TLV_BYTES = 4096;
  /** Refusals are logged at most once per interval, with the count since the last line. */
  static final long REFUSAL_LOG_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  private final ClientAddressSettings settings;
  private final long headerTimeoutNanos;
  private final ClientAddressMetrics metrics;
  /** Null when there is no limit: nothing is counted then. */
  private final ConnectionsPerClient counts;
  private final AtomicLong refusedSinceLog = new AtomicLong();
  private final AtomicLong nextLogNanos = new AtomicLong(System.nanoTime());

  /**
   * @param headerTimeout how long a connection may take to send its PROXY header (the proxy's
   *     header-read timeout)
   * @param registry where the refusals are counted
   */
  public ConnectionAdmission(
      ClientAddressSettings settings, Duration headerTimeout, PrometheusRegistry registry) {
    this.settings = settings;
    this.headerTimeoutNanos = headerTimeout.toNanos();
    this.metrics = ClientAddressMetrics.in(registry);
    this.counts = settings.maxConnectionsPerClient() > 0
        ? new ConnectionsPerClient(settings.maxConnectionsPerClient())
        : null;
    if (counts != null) {
      metrics.track(counts);
    }
    if (!settings.equals(ClientAddressSettings.DEFAULT)) {
      log.info("client addresses: PROXY protocol {}, trusted proxies {}, max connections per"
              + " client {}", settings.proxyProtocol().flagValue(), settings.trustedProxies(),
          settings.maxConnectionsPerClient() == 0 ? "unlimited" : settings.maxConnectionsPerClient());
    }
  }

  /**
   * Called on a just-accepted connection's pipeline before anything else of the proxy is added.
   * With the PROXY protocol the header handlers go first (the limit is counted once the header
   * named the client); without it the connection is counted now.
   *
   * @return false when the connection was refused and closed: add nothing more to it
   */
  public boolean admit(Channel connection) {
    if (settings.proxyProtocol() != ProxyProtocol.OFF) {
      connection.pipeline().addLast(DECODER, new HAProxyMessageDecoder(MAX_TLV_BYTES, true));
      connection.pipeline().addLast(HANDLER,
          new ProxyProtocolHandler(this, settings.proxyProtocol(), headerTimeoutNanos, metrics));
      return true;
    }
    return count(connection, ClientAddress.of(connection));
  }

  /**
   * Counts {@code connection} against {@code client}'s limit, and uncounts it when it closes; over
   * the limit, closes it.
   *
   * @return whether the connection may go on
   */
  boolean count(Channel connection, InetAddress client) {
    if (counts == null || client == null) {
      return true;
    }
    if (!counts.tryAcquire(client)) {
      metrics.connectionRefused();
      logRefusal(client);
      connection.close();
      return false;
    }
    connection.closeFuture().addListener(closed -> counts.release(client));
    return true;
  }

  /** Client addresses holding a connection now (0 without a limit). */
  public int trackedClients() {
    return counts == null ? 0 : counts.clients();
  }

  private void logRefusal(InetAddress client) {
    long refused = refusedSinceLog.incrementAndGet();
    long now = System.nanoTime();
    long next = nextLogNanos.get();
    if (now - next >= 0 && nextLogNanos.compareAndSet(next, now + REFUSAL_LOG_INTERVAL_NANOS)) {
      refusedSinceLog.addAndGet(-refused);
      log.warn("refused {} connection(s) over --max-connections-per-client={} in the last {} s,"
              + " the latest from {}", refused, settings.maxConnectionsPerClient(),
          REFUSAL_LOG_INTERVAL_NANOS / 1_000_000_000L, client.getHostAddress());
    }
  }
}
