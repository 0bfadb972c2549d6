package io.portcullis.waf.model;

import java.util.ArrayList;
import java.util.List;

/** A set of rule ids given as single ids and inclusive ranges ({@code 920000-920999}). */
public final class RuleIds {
  public static final RuleIds NONE = new RuleIds(new long[0]);

  private final long[] ranges; // pairs: from, to

  private RuleIds(long[] ranges) {
    this.ranges = ranges;
  }

  /**
   * Parses ids and ranges; each entry may itself be a space- or comma-separated list.
   *
   * @throws IllegalArgumentException naming the first entry that is neither
   */
  public static RuleIds parse(List<String> entries) {
    if (entries == null || entries.isEmpty()) {
      return NONE;
    }
    List<Long> out = new ArrayList<>();
    for (String entry : entries) {
      for (String part : entry.trim().split("[\\s,]+")) {
        if (part.isEmpty()) {
          continue;
        }
        int dash = part.indexOf('-', 1);
        try {
          long from = Long.parseLong(dash < 0 ? part : part.substring(0, dash));
          long to = dash < 0 ? from : Long.parseLong(part.substring(dash + 1));
          if (from < 1 || to < from) {
            throw new NumberFormatException();
          }
          out.add(from);
          out.add(to);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("not a rule id or id range: " + part);
        }
      }
    }
    long[] r = new long[out.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = out.get(i);
    }
    return new RuleIds(r);
  }

  public boolean contains(long id) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (id >= ranges[i] && id <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }

  public boolean isEmpty() {
    return ranges.length == 0;
  }

  /** This set and {@code other} together. */
  public RuleIds plus(RuleIds other) {
    if (other.isEmpty()) {
      return this;
    }
    if (isEmpty()) {
      return other;
    }
    long[] r = new long[ranges.length + other.ranges.length];
    System.arraycopy(ranges, 0, r, 0, ranges.length);
    System.arraycopy(other.ranges, 0, r, ranges.length, other.ranges.length);
    return new RuleIds(r);
  }
}
