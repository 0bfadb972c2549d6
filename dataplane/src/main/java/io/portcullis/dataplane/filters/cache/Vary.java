package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * Secondary keys (RFC 9111 §4.1): the request header values a stored response was selected by.
 * Values are normalised so that equivalent requests share a variant: whitespace around list
 * commas is dropped, and {@code Accept-Encoding} becomes the sorted set of codings it accepts (q
 * above 0), so {@code gzip, br} and {@code br;q=1.0,gzip} select the same compressed variant
 * instead of exploding the cache.
 */
final class Vary {
  private Vary() {}

  /** The lower-case field names a response's Vary lists. */
  static List<String> names(HttpHeaders response) {
    List<String> names = new ArrayList<>();
    for (String value : response.getAll("vary")) {
      for (String n : CacheControl.splitList(value)) {
        names.add(n.toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  /** The selecting values a request has for {@code names} (absent headers map to null). */
  static Map<String, String> selecting(HttpHeaders request, List<String> names) {
    Map<String, String> out = new HashMap<>();
    for (String name : names) {
      out.put(name, normalised(name, request.getAll(name)));
    }
    return out;
  }

  /** True when {@code request} carries the same selecting values as {@code stored} (§4.1). */
  static boolean matches(StoredResponse stored, HttpHeaders request) {
    for (Map.Entry<String, String> e : stored.selecting().entrySet()) {
      if (!Objects.equals(e.getValue(), normalised(e.getKey(), request.getAll(e.getKey())))) {
        return false;
      }
    }
    return true;
  }

  static String normalised(String name, List<String> values) {
    if (values.isEmpty()) {
      return null;
    }
    if (name.equals("accept-encoding")) {
      return acceptEncoding(values);
    }
    StringBuilder out = new StringBuilder();
    for (String value : values) {
      for (String member : CacheControl.splitList(value)) {
        if (out.length() > 0) {
          out.append(',');
        }
        out.append(member);
      }
    }
    return out.toString();
  }

  private static String acceptEncoding(List<String> values) {
    TreeSet<String> codings = new TreeSet<>();
    for (String value : values) {
      for (String member : CacheControl.splitList(value)) {
        String[] parts = member.split(";");
        String coding = parts[0].trim().toLowerCase(Locale.ROOT);
        if (coding.equals("x-gzip")) {
          coding = "gzip";
        }
        boolean accepted = true;
        for (int i = 1; i < parts.length; i++) {
          String p = parts[i].trim().toLowerCase(Locale.ROOT);
          if (p.startsWith("q=")) {
            try {
              accepted = Double.parseDouble(p.substring(2)) > 0;
            } catch (NumberFormatException e) {
              accepted = false;
            }
          }
        }
        if (accepted && !coding.isEmpty()) {
          codings.add(coding);
        }
      }
    }
    return String.join(",", codings);
  }
}
