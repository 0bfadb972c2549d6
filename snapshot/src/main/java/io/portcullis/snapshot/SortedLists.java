package io.portcullis.snapshot;

import java.util.List;
import java.util.function.Function;

/**
 * Lookups in a snapshot's lists, which are sorted by their key (a virtual host's host, a cluster's
 * or certificate's name): by binary search, not through a map of every part built per lookup.
 */
public final class SortedLists {
  private SortedLists() {}

  /**
   * Like {@link java.util.Collections#binarySearch} over {@code list[from..]} by key: the index of
   * the element whose key is {@code key}, or {@code -(insertion point) - 1}.
   */
  public static <T> int indexOf(List<T> list, int from, String key, Function<T, String> keyOf) {
    int low = from;
    int high = list.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int order = keyOf.apply(list.get(mid)).compareTo(key);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return mid;
      }
    }
    return -(low + 1);
  }

  /** The element of {@code sorted} whose key is {@code key}, or null. */
  public static <T> T find(List<T> sorted, String key, Function<T, String> keyOf) {
    int i = indexOf(sorted, 0, key, keyOf);
    return i < 0 ? null : sorted.get(i);
  }
}
