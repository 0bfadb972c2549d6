package io.portcullis.dataplane.filters.cache;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Parsed {@code Cache-Control} directives (RFC 9111 §5.2), also used for the targeted fields
 * {@code CDN-Cache-Control} and {@code Portcullis-Cache-Control} (RFC 9213), whose dictionary
 * syntax this lenient parser reads as well. Names are lower case; a directive given twice keeps
 * its first value (the conservative reading of §4.2.1's "invalid when duplicated" for
 * freshness is done by {@link #seconds}).
 */
final class CacheControl {
  static final CacheControl EMPTY = new CacheControl(Map.of(), Map.of());

  /** Directive name to its argument (unquoted), or "" when it has none. */
  private final Map<String, String> directives;
  /** How many times each name appeared. */
  private final Map<String, Integer> counts;

  private CacheControl(Map<String, String> directives, Map<String, Integer> counts) {
    this.directives = directives;
    this.counts = counts;
  }

  /** Parses every value of the field (field lines combine as a comma-separated list). */
  static CacheControl parse(List<String> values) {
    if (values == null || values.isEmpty()) {
      return EMPTY;
    }
    Map<String, String> out = new LinkedHashMap<>();
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String value : values) {
      for (String member : splitList(value)) {
        int eq = member.indexOf('=');
        String name = (eq < 0 ? member : member.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
        if (name.isEmpty()) {
          continue;
        }
        String arg = eq < 0 ? "" : unquote(member.substring(eq + 1).trim());
        out.putIfAbsent(name, arg);
        counts.merge(name, 1, Integer::sum);
      }
    }
    return out.isEmpty() ? EMPTY : new CacheControl(out, counts);
  }

  boolean isEmpty() {
    return directives.isEmpty();
  }

  boolean has(String name) {
    return directives.containsKey(name);
  }

  /** True when the directive is present without field names ({@code no-cache}, not {@code no-cache="x"}). */
  boolean hasUnqualified(String name) {
    String arg = directives.get(name);
    return arg != null && arg.isEmpty();
  }

  /**
   * A delta-seconds argument: -1 when absent, -2 when present but invalid (not a number, or
   * given twice with different values), else the value (capped at 2^31, as §1.2.2 allows).
   */
  long seconds(String name) {
    String arg = directives.get(name);
    if (arg == null) {
      return -1;
    }
    if (arg.isEmpty() || counts.getOrDefault(name, 1) > 1) {
      return -2;
    }
    for (int i = 0; i < arg.length(); i++) {
      if (arg.charAt(i) < '0' || arg.charAt(i) > '9') {
        return -2;
      }
    }
    if (arg.length() > 10) {
      return 1L << 31;
    }
    return Math.min(Long.parseLong(arg), 1L << 31);
  }

  /** The field names of a qualified {@code no-cache} or {@code private}, lower case. */
  List<String> fieldNames(String name) {
    String arg = directives.get(name);
    if (arg == null || arg.isEmpty()) {
      return List.of();
    }
    List<String> names = new ArrayList<>();
    for (String n : arg.split(",")) {
      String t = n.trim().toLowerCase(Locale.ROOT);
      if (!t.isEmpty()) {
        names.add(t);
      }
    }
    return Collections.unmodifiableList(names);
  }

  /** Splits a list at commas outside quoted strings. */
  static List<String> splitList(String value) {
    List<String> parts = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (quoted && c == '\\' && i + 1 < value.length()) {
        cur.append(c).append(value.charAt(++i));
        continue;
      }
      if (c == '"') {
        quoted = !quoted;
      }
      if (c == ',' && !quoted) {
        add(parts, cur);
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    add(parts, cur);
    return parts;
  }

  private static void add(List<String> parts, StringBuilder cur) {
    String t = cur.toString().trim();
    if (!t.isEmpty()) {
      parts.add(t);
    }
  }

  private static String unquote(String arg) {
    if (arg.length() >= 2 && arg.charAt(0) == '"' && arg.charAt(arg.length() - 1) == '"') {
      return arg.substring(1, arg.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
    }
    return arg;
  }

  @Override
  public String toString() {
    return directives.toString();
  }
}
