package io.portcullis.dataplane.filter;

import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;

/**
 * What the chains of a snapshot may depend on beyond their own host and route. A config reuses
 * the compiled chains of a host that a delta did not touch only while these are equal, so any
 * snapshot-wide fact a chain compiler comes to use belongs here, or untouched hosts would keep
 * stale chains. The config keeps them up to date per delta without walking every host.
 *
 * @param clientCertificates some host checks client certificates: then hosts without TLS get the
 *     TLS filter too, to refuse connections whose handshake enforced another host's validation
 */
public record SharedChainInputs(boolean clientCertificates) {
  /** Inputs of a snapshot without any such host. */
  public static final SharedChainInputs NONE = new SharedChainInputs(false);

  /** The inputs of {@code snapshot}, from all of its hosts. */
  public static SharedChainInputs of(Snapshot snapshot) {
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      if (checksClientCertificates(vhost)) {
        return new SharedChainInputs(true);
      }
    }
    return NONE;
  }

  /** Whether {@code vhost} (null: none) asks clients for a certificate. */
  public static boolean checksClientCertificates(VirtualHost vhost) {
    return vhost != null && vhost.tls() != null && vhost.tls().clientCertificates() != null;
  }
}
