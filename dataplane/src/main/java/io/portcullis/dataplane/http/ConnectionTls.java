package io.portcullis.dataplane.http;

import io.portcullis.snapshot.TlsPolicy.ClientValidation;

/**
 * What the TLS handshake of a client connection established, as far as routing cares.
 *
 * @param clientValidation the client certificate validation the handshake enforced (that of the
 *     certificate context the SNI name chose), or null when it asked for no client certificate
 * @param forwardedClientCert the verified client certificate's details in the
 *     {@code x-forwarded-client-cert} format, or null when the client presented none
 */
public record ConnectionTls(ClientValidation clientValidation, String forwardedClientCert) {
  /** A TLS connection without client certificates. */
  public static final ConnectionTls NONE = new ConnectionTls(null, null);
}
