package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Header changes: first every name in {@code remove} is removed, then every {@code set} entry
 * replaces all values of its header.
 *
 * @param set lower-case header name to value
 * @param remove lower-case header names
 */
public record HeaderRewrite(Map<String, String> set, List<String> remove) {
  public static final HeaderRewrite NONE = new HeaderRewrite(Map.of(), List.of());

  public HeaderRewrite {
    Map<String, String> lower = new TreeMap<>();
    if (set != null) {
      set.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
    }
    set = Sorted.copy(lower);
    remove =
        Sorted.copy(
            remove == null ? List.of() : remove.stream().map(r -> r.toLowerCase(Locale.ROOT)).distinct().toList(),
            Comparator.naturalOrder());
  }

  @JsonIgnore
  public boolean isEmpty() {
    return set.isEmpty() && remove.isEmpty();
  }
}
