package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;

/** The client's own conditional request against a stored response (RFC 9110 §13.1.2, §13.1.3). */
final class Conditionals {
  private Conditionals() {}

  /** True when a 304 answers the request: If-None-Match matches, else If-Modified-Since holds. */
  static boolean notModified(HttpHeaders request, StoredResponse stored) {
    java.util.List<String> inm = request.getAll("if-none-match");
    if (!inm.isEmpty()) {
      String etag = stored.etag();
      if (etag == null) {
        return false;
      }
      for (String value : inm) {
        for (String tag : CacheControl.splitList(value)) {
          if (tag.equals("*") || weak(tag).equals(weak(etag))) {
            return true;
          }
        }
      }
      return false;
    }
    long since = HttpDates.parse(request.get("if-modified-since"));
    if (since < 0) {
      return false;
    }
    long modified = HttpDates.parse(stored.lastModified());
    if (modified < 0) {
      modified = HttpDates.parse(stored.headers().get("date"));
    }
    return modified >= 0 && modified <= since;
  }

  private static String weak(String tag) {
    String t = tag.trim();
    return t.startsWith("W/") ? t.substring(2) : t;
  }
}
