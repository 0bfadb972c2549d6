package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A value too large for one cookie (browsers keep about 4 KiB per cookie) spread over {@code name},
 * {@code name_1}, {@code name_2}, ...; and the request's Cookie header without them, for upstream.
 */
final class ChunkedCookies {
  static final int CHUNK = 3800;
  static final int MAX_CHUNKS = 8;

  private ChunkedCookies() {}

  /** The request's cookies by name (the first of a repeated name). */
  static Map<String, String> parse(HttpHeaders headers) {
    Map<String, String> out = new HashMap<>();
    for (String header : headers.getAll(HttpHeaderNames.COOKIE)) {
      for (String part : header.split(";")) {
        int eq = part.indexOf('=');
        if (eq > 0) {
          out.putIfAbsent(part.substring(0, eq).trim(), part.substring(eq + 1).trim());
        }
      }
    }
    return out;
  }

  /** The joined value of {@code name}'s chunks, or null. */
  static String read(Map<String, String> cookies, String name) {
    String first = cookies.get(name);
    if (first == null) {
      return null;
    }
    StringBuilder sb = new StringBuilder(first);
    for (int i = 1; i < MAX_CHUNKS; i++) {
      String next = cookies.get(name + "_" + i);
      if (next == null) {
        break;
      }
      sb.append(next);
    }
    return sb.toString();
  }

  /** How many chunks of {@code name} the request carries. */
  static int count(Map<String, String> cookies, String name) {
    int n = 0;
    while (n < MAX_CHUNKS && cookies.containsKey(n == 0 ? name : name + "_" + n)) {
      n++;
    }
    return n;
  }

  /**
   * Set-Cookie values that store {@code value} under {@code name} and clear chunks left from a
   * longer value before ({@code had} chunks).
   */
  static List<String> write(String name, String value, String attributes, long maxAgeSeconds,
      int had) {
    List<String> out = new ArrayList<>();
    int chunks = (value.length() + CHUNK - 1) / CHUNK;
    if (chunks > MAX_CHUNKS) {
      throw new IllegalArgumentException("session too large for " + MAX_CHUNKS + " cookies");
    }
    for (int i = 0; i < chunks; i++) {
      out.add((i == 0 ? name : name + "_" + i) + "="
          + value.substring(i * CHUNK, Math.min(value.length(), (i + 1) * CHUNK))
          + "; Max-Age=" + maxAgeSeconds + attributes);
    }
    for (int i = chunks; i < had; i++) {
      out.add(clear(i == 0 ? name : name + "_" + i, attributes));
    }
    return out;
  }

  /** Set-Cookie values that remove all {@code had} chunks of {@code name}. */
  static List<String> clearAll(String name, String attributes, int had) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < Math.max(1, had); i++) {
      out.add(clear(i == 0 ? name : name + "_" + i, attributes));
    }
    return out;
  }

  private static String clear(String name, String attributes) {
    return name + "=; Max-Age=0" + attributes;
  }

  /** Removes every cookie whose name starts with {@code prefix} from the request. */
  static void strip(HttpHeaders headers, String prefix) {
    List<String> all = headers.getAll(HttpHeaderNames.COOKIE);
    if (all.isEmpty()) {
      return;
    }
    List<String> kept = new ArrayList<>();
    for (String header : all) {
      for (String part : header.split(";")) {
        String trimmed = part.trim();
        if (!trimmed.isEmpty() && !trimmed.startsWith(prefix)) {
          kept.add(trimmed);
        }
      }
    }
    headers.remove(HttpHeaderNames.COOKIE);
    if (!kept.isEmpty()) {
      headers.set(HttpHeaderNames.COOKIE, String.join("; ", kept));
    }
  }
}
