package io.portcullis.dataplane.clientaddress;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What the connection gate refused, on {@code /metrics}. One per registry ({@link #in}), shared
 * by every listener that reports there.
 */
public final class ClientAddressMetrics {
  private static final Map<PrometheusRegistry, ClientAddressMetrics> BY_REGISTRY =
      new WeakHashMap<>();

  /** Why a connection's PROXY protocol header was refused. */
  enum ProxyProtocolFailure {
    /** Not a PROXY header, or a malformed one. */
    INVALID,
    /** A well-formed header of a version {@code --proxy-protocol} does not allow. */
    VERSION,
    /** No complete header within the header-read timeout. */
    TIMEOUT;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final CounterDataPoint refused;
  private final CounterDataPoint[] proxyProtocolFailures =
      new CounterDataPoint[ProxyProtocolFailure.values().length];

  private final List<ConnectionsPerClient> counts = new CopyOnWriteArrayList<>();

  /** The metrics registered in {@code registry}, registering them on first use. */
  public static synchronized ClientAddressMetrics in(PrometheusRegistry registry) {
    return BY_REGISTRY.computeIfAbsent(registry, ClientAddressMetrics::new);
  }

  private ClientAddressMetrics(PrometheusRegistry registry) {
    refused = Counter.builder()
        .name("portcullis_client_connections_refused")
        .help("Client connections closed at accept because their address already held"
            + " --max-connections-per-client connections")
        .register(registry);
    Counter failures = Counter.builder()
        .name("portcullis_proxy_protocol_rejected")
        .help("Client connections closed for their PROXY protocol header, by reason: invalid"
            + " (missing or malformed), version (not allowed by --proxy-protocol), timeout")
        .labelNames("reason")
        .register(registry);
    for (ProxyProtocolFailure f : ProxyProtocolFailure.values()) {
      proxyProtocolFailures[f.ordinal()] = failures.labelValues(f.label());
    }
    GaugeWithCallback.builder()
        .name("portcullis_client_connection_addresses")
        .help("Client addresses holding at least one connection, as counted for"
            + " --max-connections-per-client (0 when there is no limit)")
        .callback(cb -> cb.call(counts.stream().mapToInt(ConnectionsPerClient::clients).sum()))
        .register(registry);
  }

  /** Feeds the address gauge from {@code count} from now on. */
  void track(ConnectionsPerClient count) {
    counts.add(count);
  }

  void connectionRefused() {
    refused.inc();
  }

  void proxyProtocolRejected(ProxyProtocolFailure why) {
    proxyProtocolFailures[why.ordinal()].inc();
  }
}
