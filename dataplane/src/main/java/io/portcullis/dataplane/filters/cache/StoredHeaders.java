package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.ReadOnlyHttpHeaders;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Which header fields are stored and how a 304 updates them (RFC 9111 §3.1, §3.2, §4.3.4).
 */
final class StoredHeaders {
  /** Hop-by-hop and framing fields: never stored, never taken from a 304. */
  private static final Set<String> NOT_STORED = Set.of(
      "connection", "proxy-connection", "keep-alive", "te", "transfer-encoding", "upgrade",
      "trailer", "proxy-authenticate", "proxy-authentication-info", "proxy-authorization",
      "content-length", "cache-status");

  private StoredHeaders() {}

  /** The fields of {@code response} a shared cache stores, plus a Date when it has none. */
  static ReadOnlyHttpHeaders forStorage(HttpHeaders response, CacheControl cc, long nowMillis) {
    Set<String> drop = dropped(response, cc);
    List<CharSequence> pairs = new ArrayList<>();
    for (Map.Entry<String, String> h : response) {
      if (!drop.contains(h.getKey().toLowerCase(Locale.ROOT))) {
        pairs.add(h.getKey().toLowerCase(Locale.ROOT));
        pairs.add(h.getValue());
      }
    }
    if (!response.contains("date")) {
      pairs.add("date");
      pairs.add(HttpDates.format(nowMillis));
    }
    return new ReadOnlyHttpHeaders(false, pairs.toArray(CharSequence[]::new));
  }

  /**
   * §4.3.4: the stored fields, each replaced by the 304's fields of that name (except those never
   * stored, and Content-Length).
   */
  static ReadOnlyHttpHeaders merged(HttpHeaders stored, HttpHeaders notModified) {
    Set<String> drop = dropped(notModified, CacheControl.EMPTY);
    Set<String> replaced = new HashSet<>();
    for (Map.Entry<String, String> h : notModified) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (!drop.contains(name)) {
        replaced.add(name);
      }
    }
    List<CharSequence> pairs = new ArrayList<>();
    for (Map.Entry<String, String> h : stored) {
      if (!replaced.contains(h.getKey())) {
        pairs.add(h.getKey());
        pairs.add(h.getValue());
      }
    }
    for (Map.Entry<String, String> h : notModified) {
      String name = h.getKey().toLowerCase(Locale.ROOT);
      if (replaced.contains(name)) {
        pairs.add(name);
        pairs.add(h.getValue());
      }
    }
    return new ReadOnlyHttpHeaders(false, pairs.toArray(CharSequence[]::new));
  }

  /** A mutable copy to send, without the fields only this cache reads. */
  static HttpHeaders forSending(HttpHeaders stored) {
    HttpHeaders out = new DefaultHttpHeaders();
    out.add(stored);
    out.remove(TargetedControl.PORTCULLIS);
    return out;
  }

  private static Set<String> dropped(HttpHeaders response, CacheControl cc) {
    Set<String> drop = new HashSet<>(NOT_STORED);
    for (String value : response.getAll("connection")) {
      for (String n : CacheControl.splitList(value)) {
        drop.add(n.toLowerCase(Locale.ROOT));
      }
    }
    drop.addAll(cc.fieldNames("private"));
    drop.addAll(cc.fieldNames("no-cache"));
    return drop;
  }
}
