package io.portcullis.dataplane.proxy;

import java.util.Locale;
import java.util.Set;

/**
 * Trailer fields a request may not carry (RFC 9110 §6.5.1): those that would change how the
 * message is framed or routed, or that are hop-by-hop. A proxy that merged them into the head, or
 * a backend that did, would see a different request than we checked; we refuse them with 400.
 */
final class Trailers {
  private static final Set<String> FORBIDDEN =
      Set.of(
          "content-length", "transfer-encoding", "host", "connection", "keep-alive",
          "proxy-connection", "te", "trailer", "upgrade", "expect", "content-encoding",
          "content-type", "content-range", "authorization", "proxy-authorization", "cookie");

  private Trailers() {}

  static boolean forbidden(String name) {
    return FORBIDDEN.contains(name.trim().toLowerCase(Locale.ROOT))
        || name.startsWith(":"); // an HTTP/2 pseudo-header has no place in trailers either
  }
}
