package io.portcullis.operator.compile;

import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;

/**
 * The wire protocol and TLS a route asks for towards a backend. What it leaves open, the Service
 * port's {@code appProtocol} decides: {@code kubernetes.io/h2c} is HTTP/2 in plaintext,
 * {@code kubernetes.io/h2} HTTP/2 over TLS, {@code https} HTTP/1.1 over TLS (verified against the
 * default trust store unless the route gives a CA or skips verification).
 *
 * @param protocol null to follow the Service port
 * @param tls null to follow the protocol (TLS for h2 and https, default trust) and the port
 * @param tlsImplied the route's protocol itself means TLS (h2, https)
 */
record UpstreamRequest(Protocol protocol, UpstreamTls tls, boolean tlsImplied) {
  /** Whatever the Service port says. */
  static final UpstreamRequest FROM_SERVICE = new UpstreamRequest(null, null, false);

  /** TLS verified against the JDK's default trust store, SNI the Service's DNS name. */
  static final UpstreamTls DEFAULT_TRUST = new UpstreamTls(null, null, false);

  /**
   * Parses the protocol words of a ProxyRoute backend and the Ingress annotation.
   *
   * @throws InvalidInputException for anything but h2c, h2, http1 or https
   */
  static UpstreamRequest of(String protocol, UpstreamTls tls) throws InvalidInputException {
    if (protocol == null) {
      return new UpstreamRequest(null, tls, false);
    }
    return switch (protocol) {
      case "h2c" -> {
        if (tls != null) {
          throw new InvalidInputException("protocol h2c is plaintext and excludes tls (use h2)");
        }
        yield new UpstreamRequest(Protocol.H2, null, false);
      }
      case "h2" -> new UpstreamRequest(Protocol.H2, tls, true);
      case "http1" -> new UpstreamRequest(Protocol.HTTP1, tls, false);
      case "https" -> new UpstreamRequest(Protocol.HTTP1, tls, true);
      default -> throw new InvalidInputException(
          "unknown protocol '" + StatusCollector.bounded(protocol) + "' (h2c, h2, http1 or https)");
    };
  }

  /** {@code policy} with the protocol and TLS this request and the Service port's appProtocol give. */
  ClusterPolicy apply(ClusterPolicy policy, String appProtocol) {
    Protocol effective = protocol;
    UpstreamTls effectiveTls = tls;
    if (protocol == null) {
      Protocol fromPort = switch (appProtocol == null ? "" : appProtocol) {
        case "kubernetes.io/h2c", "kubernetes.io/h2" -> Protocol.H2;
        default -> Protocol.HTTP1;
      };
      effective = fromPort;
      boolean portTls = "kubernetes.io/h2".equals(appProtocol) || "https".equals(appProtocol);
      if (effectiveTls == null && portTls) {
        effectiveTls = DEFAULT_TRUST;
      }
    } else if (effectiveTls == null && tlsImplied) {
      effectiveTls = DEFAULT_TRUST;
    }
    ClusterPolicy p = policy.withProtocol(effective == Protocol.HTTP1 ? null : effective).withTls(effectiveTls);
    // Spelled-out defaults are the defaults: they must not split a Service port into two clusters.
    if (ClusterPolicy.LoadBalancer.ROUND_ROBIN.equals(p.loadBalancer())) {
      p = new ClusterPolicy(p.protocol(), p.tls(), null, p.slowStartMillis(), p.healthCheck(),
          p.outlierDetection(), p.circuitBreakers(), p.connectTimeoutMillis(), p.panicThresholdPercent());
    }
    return p;
  }
}
