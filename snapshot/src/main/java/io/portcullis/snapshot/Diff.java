package io.portcullis.snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Differences between two lists of snapshot parts sorted by their key (as every part list of a
 * {@link Snapshot} is), found and applied by one merge walk instead of maps of both sides.
 *
 * @param upserts parts of the newer list that the older lacks or holds differently
 * @param removals keys of the older list that the newer lacks
 */
record Diff<T>(List<T> upserts, List<String> removals) {

  static <T> Diff<T> of(List<T> from, List<T> to, Function<T, String> key) {
    List<T> upserts = new ArrayList<>();
    List<String> removals = new ArrayList<>();
    int i = 0;
    int j = 0;
    while (i < from.size() || j < to.size()) {
      if (i < from.size() && j < to.size() && from.get(i) == to.get(j)) {
        i++; // the common case, an untouched part: no key comparison needed
        j++;
        continue;
      }
      int order = i == from.size() ? 1
          : j == to.size() ? -1
          : key.apply(from.get(i)).compareTo(key.apply(to.get(j)));
      if (order < 0) {
        removals.add(key.apply(from.get(i++)));
      } else if (order > 0) {
        upserts.add(to.get(j++));
      } else {
        T old = from.get(i++);
        T now = to.get(j++);
        if (old != now && !old.equals(now)) {
          upserts.add(now);
        }
      }
    }
    return new Diff<>(upserts, removals);
  }

  /** {@code base} with {@code upserts} put in (sorted by key, like base) and {@code removals} gone. */
  static <T> List<T> patch(List<T> base, List<T> upserts, List<String> removals, Function<T, String> key) {
    Set<String> removed = removals.isEmpty() ? Set.of() : new HashSet<>(removals);
    List<T> out = new ArrayList<>(base.size() + upserts.size());
    int i = 0;
    int j = 0;
    while (i < base.size() || j < upserts.size()) {
      int order = i == base.size() ? 1
          : j == upserts.size() ? -1
          : key.apply(base.get(i)).compareTo(key.apply(upserts.get(j)));
      T next;
      if (order < 0) {
        next = base.get(i++);
      } else if (order > 0) {
        next = upserts.get(j++);
      } else {
        i++;
        next = upserts.get(j++);
      }
      if (!removed.contains(key.apply(next))) {
        out.add(next);
      }
    }
    return out;
  }
}
