package io.portcullis.dataplane.http;

import java.util.List;

/**
 * Reads cookies from {@code Cookie} request headers (RFC 6265 section 5.4: pairs separated by
 * {@code ;}). Lenient as servers must be: whitespace around pairs, names and values is dropped,
 * a value in double quotes loses them, and a pair without {@code =} is skipped. Nothing is
 * allocated but the value returned.
 */
public final class Cookies {
  private Cookies() {}

  /**
   * The value of the first cookie named {@code name} (compared with case) across {@code fields}
   * in order, or null when there is none.
   */
  public static String first(List<String> fields, String name) {
    for (String field : fields) {
      String value = first(field, name);
      if (value != null) {
        return value;
      }
    }
    return null;
  }

  /** The value of the first cookie named {@code name} in one header field, or null. */
  public static String first(String field, String name) {
    int n = field.length();
    int i = 0;
    while (i < n) {
      int end = field.indexOf(';', i);
      if (end < 0) {
        end = n;
      }
      int eq = field.indexOf('=', i);
      if (eq >= 0 && eq < end) {
        int ns = skipSpace(field, i, eq);
        int ne = trimEnd(field, ns, eq);
        if (ne - ns == name.length() && field.regionMatches(ns, name, 0, name.length())) {
          int vs = skipSpace(field, eq + 1, end);
          int ve = trimEnd(field, vs, end);
          if (ve - vs >= 2 && field.charAt(vs) == '"' && field.charAt(ve - 1) == '"') {
            vs++;
            ve--;
          }
          return field.substring(vs, ve);
        }
      }
      i = end + 1;
    }
    return null;
  }

  private static int skipSpace(String s, int from, int to) {
    while (from < to && (s.charAt(from) == ' ' || s.charAt(from) == '\t')) {
      from++;
    }
    return from;
  }

  private static int trimEnd(String s, int from, int to) {
    while (to > from && (s.charAt(to - 1) == ' ' || s.charAt(to - 1) == '\t')) {
      to--;
    }
    return to;
  }
}
