package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.ConfigApplier;
import io.portcullis.snapshot.Snapshot;

/**
 * Applies a snapshot's certificates and routes together: certificates are loaded first (a
 * certificate the dataplane cannot load is NACKed and nothing changes), then the SNI table is
 * swapped, then the routing config. A handshake in between uses the new certificate with the old
 * routes, which is harmless: both are valid for the host. If the routes are rejected, the previous
 * certificates are put back.
 */
public final class TlsConfigApplier implements ConfigApplier {
  private final LiveConfig config;
  private final CertificateStore certificates;

  public TlsConfigApplier(LiveConfig config, CertificateStore certificates) {
    this.config = config;
    this.certificates = certificates;
  }

  @Override
  public synchronized void apply(Snapshot snapshot) {
    CertificateStore.Table previous = certificates.current();
    certificates.install(certificates.prepare(snapshot));
    try {
      config.apply(snapshot);
    } catch (RuntimeException e) {
      certificates.install(previous);
      throw e;
    }
  }
}
