package io.portcullis.dataplane.filters.staticcontent;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code Range: bytes=...} header against a representation of known length (RFC 9110 section
 * 14.1.2): first-last, first- and -suffix specs. Requests that ask for too many ranges, or for
 * overlapping ones (a known way to make a server send a file many times over), get the whole
 * representation instead, which the RFC allows.
 */
final class ByteRanges {
  /** More ranges than this and the request gets the whole file. */
  static final int MAX_RANGES = 16;

  private ByteRanges() {}

  /** One satisfiable range, inclusive. */
  record Range(long first, long last) {
    long length() {
      return last - first + 1;
    }

    String contentRange(long size) {
      return "bytes " + first + "-" + last + "/" + size;
    }
  }

  /** What to do with the header. */
  sealed interface Outcome {}

  /** Send the whole representation (no header, another unit, unparsable, or too many ranges). */
  record Whole() implements Outcome {}

  /** None of the ranges overlaps the representation: 416. */
  record Unsatisfiable() implements Outcome {}

  /** Send these ranges, in the order asked. */
  record Parts(List<Range> ranges) implements Outcome {}

  static Outcome parse(String header, long size) {
    if (header == null) {
      return new Whole();
    }
    String h = header.trim();
    if (!h.regionMatches(true, 0, "bytes=", 0, 6)) {
      return new Whole();
    }
    String[] specs = h.substring(6).split(",");
    if (specs.length > MAX_RANGES) {
      return new Whole();
    }
    List<Range> ranges = new ArrayList<>();
    boolean any = false;
    for (String raw : specs) {
      String spec = raw.trim();
      if (spec.isEmpty()) {
        continue;
      }
      int dash = spec.indexOf('-');
      if (dash < 0) {
        return new Whole();
      }
      long first;
      long last;
      try {
        if (dash == 0) {
          long suffix = number(spec.substring(1));
          any = true;
          if (suffix == 0 || size == 0) {
            continue;
          }
          first = Math.max(0, size - suffix);
          last = size - 1;
        } else {
          first = number(spec.substring(0, dash));
          String end = spec.substring(dash + 1);
          last = end.isEmpty() ? Long.MAX_VALUE : number(end);
          if (last < first) {
            return new Whole();
          }
          any = true;
          if (first >= size) {
            continue;
          }
          last = Math.min(last, size - 1);
        }
      } catch (NumberFormatException e) {
        return new Whole();
      }
      ranges.add(new Range(first, last));
    }
    if (!any) {
      return new Whole();
    }
    if (ranges.isEmpty()) {
      return new Unsatisfiable();
    }
    if (overlap(ranges)) {
      return new Whole();
    }
    return new Parts(List.copyOf(ranges));
  }

  private static long number(String s) {
    String t = s.trim();
    if (t.isEmpty() || t.length() > 18) {
      throw new NumberFormatException(s);
    }
    for (int i = 0; i < t.length(); i++) {
      if (t.charAt(i) < '0' || t.charAt(i) > '9') {
        throw new NumberFormatException(s);
      }
    }
    return Long.parseLong(t);
  }

  private static boolean overlap(List<Range> ranges) {
    List<Range> sorted = new ArrayList<>(ranges);
    sorted.sort((a, b) -> Long.compare(a.first(), b.first()));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).first() <= sorted.get(i - 1).last()) {
        return true;
      }
    }
    return false;
  }
}
