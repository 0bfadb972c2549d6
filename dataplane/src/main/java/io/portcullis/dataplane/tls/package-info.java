/**
 * TLS termination on the dataplane: the certificates of the current snapshot as Netty
 * {@link io.netty.handler.ssl.SslContext}s chosen by SNI ({@link
 * io.portcullis.dataplane.tls.CertificateStore}, which the HTTPS listener's {@code SniHandler}
 * asks per connection; its table is part of each config and swaps with the routes). The per-host
 * HTTP-to-HTTPS redirect, HSTS and the 421 for misdirected requests are a filter
 * ({@code filters.tls.TlsPolicyFilter}). Client certificates per host: the SNI choice also picks the
 * client certificate validation, and the
 * {@link io.portcullis.dataplane.tls.ClientCertificateSniHandler} records what the handshake
 * established. A config's certificates are read when it is applied, but each server context is
 * built on its first handshake (off the event loop; the handshake waits) or by a background
 * pre-build once the config is applied, so a dataplane with thousands of certificates starts
 * serving without building them all first.
 *
 * <p>Limits and defaults: TLS 1.2 and 1.3 only; AEAD cipher suites only; a ClientHello of at most
 * 64 KiB within 10 s; session cache of 10,000 sessions per certificate, sessions and tickets valid
 * for one hour; ticket keys rotated hourly, three kept.
 */
package io.portcullis.dataplane.tls;
