package io.portcullis.dataplane.upstream;

import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Protocol;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import io.portcullis.snapshot.Endpoint;
import java.util.Objects;

/**
 * What makes two backend connections interchangeable: the same endpoint, spoken to with the same
 * protocol and the same TLS settings (a plain connection and a TLS one to the same address, or two
 * TLS ones with different SNI names, must never be pooled together).
 *
 * @param endpoint where to connect
 * @param protocol HTTP/1.1 or HTTP/2
 * @param tls TLS settings, or null for plaintext
 * @param serverName SNI and the name the backend certificate must carry; null without TLS
 */
public record UpstreamKey(Endpoint endpoint, Protocol protocol, UpstreamTls tls, String serverName) {
  public UpstreamKey {
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(protocol, "protocol");
    if ((tls == null) != (serverName == null)) {
      throw new IllegalArgumentException("a server name goes with TLS and only with it");
    }
  }

  /** Plain HTTP/1.1 to {@code endpoint}: the default policy. */
  public static UpstreamKey plain(Endpoint endpoint) {
    return new UpstreamKey(endpoint, Protocol.HTTP1, null, null);
  }

  /** How to reach {@code endpoint} of the cluster {@code clusterName} under its {@code policy}. */
  public static UpstreamKey of(Endpoint endpoint, String clusterName, ClusterPolicy policy) {
    UpstreamTls tls = policy.tls();
    String serverName = tls == null ? null : serverName(tls, clusterName, endpoint);
    return new UpstreamKey(endpoint, policy.protocolOrDefault(), tls, serverName);
  }

  public boolean h2() {
    return protocol == Protocol.H2;
  }

  /**
   * The configured name, else the Service's cluster DNS name ({@code service.namespace.svc}, from
   * a cluster named {@code namespace/service:port[/policy]}), else the endpoint's address.
   */
  static String serverName(UpstreamTls tls, String clusterName, Endpoint endpoint) {
    if (tls.serverName() != null && !tls.serverName().isBlank()) {
      return tls.serverName();
    }
    int slash = clusterName.indexOf('/');
    int colon = clusterName.indexOf(':', slash + 1);
    if (slash > 0 && colon > slash + 1) {
      return clusterName.substring(slash + 1, colon) + "." + clusterName.substring(0, slash) + ".svc";
    }
    return endpoint.address();
  }
}
