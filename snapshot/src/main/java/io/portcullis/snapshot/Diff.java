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

  /**
   * {@code base} with {@code upserts} put in (sorted by key, like base) and {@code removals} gone.
   * Each upsert and removal is found by binary search and the runs of base between them are
   * copied whole, so a one-part change costs a few comparisons and an array copy rather than a key
   * comparison per part (a walk over 10,000 hosts was most of patching a snapshot).
   */
  static <T> List<T> patch(List<T> base, List<T> upserts, List<String> removals, Function<T, String> key) {
    Set<String> removed = removals.isEmpty() ? Set.of() : new HashSet<>(removals);
    // Every key the patch touches, in order, with the part it puts there (null: take it out).
    java.util.TreeMap<String, T> touched = new java.util.TreeMap<>();
    for (String k : removals) {
      touched.put(k, null);
    }
    for (T part : upserts) {
      String k = key.apply(part);
      touched.put(k, removed.contains(k) ? null : part);
    }
    // Where each change goes in base, found first so that the result's digests can be copied
    // (in the same runs, from the base's: see PartDigests) into an array of the exact size.
    int[] at = new int[touched.size()];
    int size = base.size();
    int from = 0;
    int n = 0;
    for (java.util.Map.Entry<String, T> change : touched.entrySet()) {
      int found = SortedLists.indexOf(base, from, change.getKey(), key);
      at[n++] = found;
      size += (found >= 0 ? -1 : 0) + (change.getValue() != null ? 1 : 0);
      from = found >= 0 ? found + 1 : -found - 1;
    }
    List<T> out = new ArrayList<>(size);
    byte[] baseDigests = PartDigests.ofList(base);
    byte[] digests = new byte[size * 32];
    from = 0;
    n = 0;
    for (T value : touched.values()) {
      int found = at[n++];
      int end = found >= 0 ? found : -found - 1;
      System.arraycopy(baseDigests, from * 32, digests, out.size() * 32, (end - from) * 32);
      out.addAll(base.subList(from, end));
      if (value != null) {
        System.arraycopy(PartDigests.of(value), 0, digests, out.size() * 32, 32);
        out.add(value);
      }
      from = found >= 0 ? found + 1 : end;
    }
    System.arraycopy(baseDigests, from * 32, digests, out.size() * 32, (base.size() - from) * 32);
    out.addAll(base.subList(from, base.size()));
    List<T> result = java.util.Collections.unmodifiableList(out);
    PartDigests.remember(result, digests);
    return result;
  }
}
