package io.portcullis.dataplane.health;

import io.portcullis.dataplane.lb.UpstreamEndpoint;

/** One word for an endpoint's state, as {@code /clusters} and the metrics show it. */
public enum EndpointState {
  /** Takes new requests. */
  HEALTHY,
  /** Failed its active health checks (or has not passed one yet). */
  UNHEALTHY,
  /** Ejected by outlier detection until its ejection time passes. */
  EJECTED,
  /** Shutting down: finishes its requests, gets no new ones while others can take them. */
  TERMINATING;

  /** The state that explains why the endpoint is skipped, the most lasting reason first. */
  public static EndpointState of(UpstreamEndpoint endpoint, long nowNanos) {
    if (endpoint.terminating()) {
      return TERMINATING;
    }
    if (!endpoint.activeHealthy()) {
      return UNHEALTHY;
    }
    if (endpoint.ejected(nowNanos)) {
      return EJECTED;
    }
    return HEALTHY;
  }

  /** Lower case, as shown to users. */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
