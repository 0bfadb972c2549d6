package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.ConfigApplier;
import io.portcullis.snapshot.Snapshot;

/**
 * Applies a snapshot's certificates and routes together: certificates are loaded first (a
 * certificate the dataplane cannot load is NACKed and nothing changes), then the routing config
 * is swapped, then the SNI table. A handshake in between uses the old certificate with the new
 * routes, which is harmless: both are valid for the host.
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
    CertificateStore.Table table = certificates.prepare(snapshot);
    config.apply(snapshot);
    certificates.install(table);
  }
}
