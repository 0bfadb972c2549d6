package io.portcullis.dataplane.config;

import io.netty.handler.ssl.SslContext;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;

/**
 * The SNI certificate table of one config: which server context a handshake gets for a name.
 * Built by the TLS side from the snapshot before the config is swapped in, and swapped with it in
 * the same reference write, so a handshake and the requests that follow it always see the same
 * snapshot's certificates, TLS policies and routes.
 */
public interface CertificateTable {
  /** No certificates: every handshake fails. */
  CertificateTable NONE = sniName -> null;

  /** The server context for an SNI name (null: none sent), or null when there is none to offer. */
  SslContext lookup(String sniName);

  /** Builds tables for snapshots (the TLS side's certificate store). */
  @FunctionalInterface
  interface Builder {
    /** No TLS: the empty table for every snapshot. */
    Builder NONE = (snapshot, previous, change) -> CertificateTable.NONE;

    /**
     * The table for {@code snapshot}, reusing what {@code previous} loaded.
     *
     * @param change the delta from the snapshot {@code previous} was built for to {@code snapshot}
     *     (so that only what it names need be looked at), or null when not known
     * @throws ConfigRejectedException when a certificate cannot be loaded; nothing changes then
     */
    CertificateTable build(Snapshot snapshot, CertificateTable previous, Delta change);
  }
}
