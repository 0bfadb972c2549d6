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
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TlsPolicy(String certificate, boolean redirectHttp, Hsts hsts) {

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
