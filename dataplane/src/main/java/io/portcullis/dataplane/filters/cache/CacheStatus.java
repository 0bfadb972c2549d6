package io.portcullis.dataplane.filters.cache;

/**
 * The {@code Cache-Status} member this cache adds to responses (RFC 9211), named {@code
 * Portcullis}. Appended as its own field line, so members from caches nearer the origin (kept in
 * the stored response) stay first.
 */
final class CacheStatus {
  static final String HEADER = "cache-status";
  private static final String NAME = "Portcullis";

  private CacheStatus() {}

  static String hit(long ttl) {
    return NAME + "; hit; ttl=" + ttl;
  }

  static String hitCoalesced(long ttl) {
    return NAME + "; hit; ttl=" + ttl + "; collapsed";
  }

  /** A stale response served without going upstream (max-stale, stale-while-revalidate). */
  static String staleHit(long ttl, String detail) {
    return NAME + "; hit; ttl=" + ttl + "; detail=" + detail;
  }

  /** Went upstream; {@code fwd} is uri-miss, vary-miss, stale, request, method or bypass. */
  static String forward(String fwd, int status, boolean stored) {
    return NAME + "; fwd=" + fwd + "; fwd-status=" + status + (stored ? "; stored" : "");
  }

  /** Served a stored response after the origin failed (stale-if-error). */
  static String staleIfError(int status, long ttl) {
    return NAME + "; fwd=stale; fwd-status=" + status + "; ttl=" + ttl + "; detail=stale-if-error";
  }
}
