package io.portcullis.dataplane.clientaddress;

import io.netty.handler.codec.http.HttpHeaders;
import java.net.InetAddress;

/**
 * {@code X-Forwarded-Proto}, believed only from a trusted proxy: behind a load balancer that
 * terminates TLS, the scheme the browser used is the one it names, and redirects to https, HSTS,
 * Secure cookies and the backends' {@code X-Forwarded-Proto} must follow it (ingress-nginx does
 * with {@code use-forwarded-headers}). From anyone else the header is ignored: a client could
 * otherwise talk itself past a redirect to https.
 *
 * <p>Only a single {@code http} or {@code https} counts (any case); a list or anything else leaves
 * the connection's scheme, since it cannot say which hop's view it is.
 */
public final class ForwardedProto {
  public static final String HEADER = "x-forwarded-proto";

  private ForwardedProto() {}

  /**
   * The scheme of one request as its client used it.
   *
   * @param connectionScheme {@code http} or {@code https}: what this listener speaks
   * @param peer the connection's address ({@link ClientAddress#of}); null when unknown
   */
  public static String scheme(
      String connectionScheme, InetAddress peer, HttpHeaders headers, TrustedProxies trusted) {
    if (trusted.isEmpty() || !trusted.contains(peer)) {
      return connectionScheme;
    }
    String value = headers.get(HEADER);
    if (value == null || headers.getAll(HEADER).size() != 1) {
      return connectionScheme;
    }
    value = value.trim();
    if (value.equalsIgnoreCase("https")) {
      return "https";
    }
    if (value.equalsIgnoreCase("http")) {
      return "http";
    }
    return connectionScheme;
  }
}
