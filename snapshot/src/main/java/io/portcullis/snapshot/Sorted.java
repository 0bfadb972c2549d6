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
    return list.stream().sorted(order).toList();
  }

  static <T> List<T> copy(List<T> list) {
    return list == null ? List.of() : List.copyOf(list);
  }

  static <V> Map<String, V> copy(Map<String, V> map) {
    return map == null ? Map.of() : java.util.Collections.unmodifiableMap(new TreeMap<>(map));
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
