package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How a virtual host uses TLS. A virtual host without a policy is served on the plain listener
 * only; with one it is also served on the HTTPS listener.
 *
 * @param certificate name of the {@link TlsCertificate} its SNI name selects, or null for the
 *     snapshot's default certificate (the operator uses that when the host's Secret is unusable)
 * @param redirectHttp plain-HTTP requests for this host get a 308 to the same URL over https
 * @param hsts the Strict-Transport-Security header added to its HTTPS responses, or null for none
 * @param clientCertificates client certificate validation (downstream mTLS), or null for none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TlsPolicy(
    String certificate, boolean redirectHttp, Hsts hsts, ClientValidation clientCertificates) {

  /** A policy without client certificate validation. */
  public TlsPolicy(String certificate, boolean redirectHttp, Hsts hsts) {
    this(certificate, redirectHttp, hsts, null);
  }

  /**
   * Client certificates for a host. A verified certificate's details reach the backend in
   * {@code x-forwarded-client-cert} (Envoy's format: {@code Hash=..;Subject="..";URI=..;DNS=..});
   * a client's own value of that header is always removed.
   *
   * @param caCertificatesPem PEM bundle client certificates must chain to
   * @param optional when true a client without a certificate is served (with no header); a
   *     client with an invalid one is still refused
   */
  public record ClientValidation(
      String caCertificatesPem, @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean optional) {
    public ClientValidation {
      Sorted.requireText(caCertificatesPem, "client CA bundle");
    }
  }

  /** HTTP Strict Transport Security (RFC 6797). */
  public record Hsts(long maxAgeSeconds, boolean includeSubDomains) {
    public Hsts {
      if (maxAgeSeconds < 0) {
        throw new IllegalArgumentException("HSTS max-age must not be negative: " + maxAgeSeconds);
      }
    }

    /** The header value, e.g. {@code max-age=31536000; includeSubDomains}. */
    public String headerValue() {
      return "max-age=" + maxAgeSeconds + (includeSubDomains ? "; includeSubDomains" : "");
    }
  }
}
