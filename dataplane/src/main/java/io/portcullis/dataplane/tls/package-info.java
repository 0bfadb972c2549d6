/**
 * TLS termination on the dataplane: the certificates of the current snapshot as Netty
 * {@link io.netty.handler.ssl.SslContext}s chosen by SNI ({@link
 * io.portcullis.dataplane.tls.CertificateStore}, which the HTTPS listener's {@code SniHandler}
 * asks per connection), applied together with the routes ({@link
 * io.portcullis.dataplane.tls.TlsConfigApplier}), and the per-host HTTP-to-HTTPS redirect and HSTS
 * ({@link io.portcullis.dataplane.tls.TlsRouter}). Client certificates per host: the SNI choice
 * also picks the client certificate validation, the
 * {@link io.portcullis.dataplane.tls.ClientCertificateSniHandler} records what the handshake
 * established, and the router answers 421 when a request's host wants a different validation.
 *
 * <p>Limits and defaults: TLS 1.2 and 1.3 only; AEAD cipher suites only; a ClientHello of at most
 * 64 KiB within 10 s; session cache of 10,000 sessions per certificate, sessions and tickets valid
 * for one hour; ticket keys rotated hourly, three kept.
 */
package io.portcullis.dataplane.tls;
