package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * Which cache-control field a response's caching follows here (RFC 9213): {@code
 * Portcullis-Cache-Control} when present, else {@code CDN-Cache-Control}, else {@code
 * Cache-Control}. A targeted field, when present and non-empty, replaces {@code Cache-Control}
 * entirely for this cache (and {@code Expires} with it, as RFC 9213 §2.1 says).
 */
final class TargetedControl {
  static final String PORTCULLIS = "portcullis-cache-control";
  static final String CDN = "cdn-cache-control";

  private TargetedControl() {}

  static CacheControl of(HttpHeaders headers) {
    CacheControl own = CacheControl.parse(headers.getAll(PORTCULLIS));
    if (!own.isEmpty()) {
      return own;
    }
    CacheControl cdn = CacheControl.parse(headers.getAll(CDN));
    if (!cdn.isEmpty()) {
      return cdn;
    }
    return CacheControl.parse(headers.getAll("cache-control"));
  }

  /** True when a targeted field governs (then {@code Expires} is ignored). */
  static boolean targeted(HttpHeaders headers) {
    return !CacheControl.parse(headers.getAll(PORTCULLIS)).isEmpty()
        || !CacheControl.parse(headers.getAll(CDN)).isEmpty();
  }
}
