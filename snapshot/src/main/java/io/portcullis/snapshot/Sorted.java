package io.portcullis.snapshot;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Function;

/** Helpers that make collections immutable and canonical, for stable JSON and content hashes. */
final class Sorted {
  private Sorted() {}

  static <T> List<T> copy(List<T> list, Comparator<? super T> order) {
    if (list == null) {
      return List.of();
    }
    // Mostly the input is a snapshot's own list again (a delta applied, a recompile merged):
    // already sorted and immutable, so it is checked in one pass and kept, not copied.
    for (int i = 1; i < list.size(); i++) {
      if (order.compare(list.get(i - 1), list.get(i)) > 0) {
        return list.stream().sorted(order).toList();
      }
    }
    return List.copyOf(list);
  }

  static <T> List<T> copy(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  static <V> Map<String, V> copy(Map<String, V> map) {
    return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
  }

  /**
   * {@code list} sorted by {@code key}, refusing two elements with the same key. Duplicates of a
   * sorted list are neighbours, so this needs no set of all keys.
   */
  static <T> List<T> copyUnique(List<T> list, Function<T, String> key, String what) {
    List<T> sorted = copy(list, Comparator.comparing(key));
    for (int i = 1; i < sorted.size(); i++) {
      String k = key.apply(sorted.get(i));
      if (k.equals(key.apply(sorted.get(i - 1)))) {
        throw new IllegalArgumentException("duplicate " + what + " " + k);
      }
    }
    return sorted;
  }

  static <T> void requireUnique(List<T> list, Function<T, String> key, String what) {
    Set<String> seen = new HashSet<>();
    for (T item : list) {
      if (!seen.add(key.apply(item))) {
        throw new IllegalArgumentException("duplicate " + what + " " + key.apply(item));
      }
    }
  }

  static String requireText(String value, String what) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(what + " must not be empty");
    }
    return value;
  }
}
