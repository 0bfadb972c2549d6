package io.portcullis.operator.compile;

import java.util.List;
import java.util.function.Function;

/** Lookups in the snapshot's lists, which are sorted by their key (host, cluster or name). */
public final class SortedLists {
  private SortedLists() {}

  /** The element of {@code sorted} whose key is {@code key}, by binary search; null if none. */
  public static <T> T find(List<T> sorted, String key, Function<T, String> keyOf) {
    int low = 0;
    int high = sorted.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      int order = keyOf.apply(sorted.get(mid)).compareTo(key);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return sorted.get(mid);
      }
    }
    return null;
  }
}
