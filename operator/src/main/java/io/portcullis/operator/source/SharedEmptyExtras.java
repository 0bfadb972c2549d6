package io.portcullis.operator.source;

import java.lang.reflect.Field;
import java.util.Collection;
import java.util.Map;

/**
 * Replaces every empty {@code additionalProperties} map in a decoded fabric8 object with one
 * shared empty map. fabric8's model gives each of its objects a {@code LinkedHashMap} for fields
 * it does not know, allocated whether or not any arrive: 18 per Ingress and 20 per EndpointSlice,
 * about 56 bytes each, a third of the operator's object data at 10,000 Ingresses (26 of 79 MiB,
 * bench/README "Round 5"). A map that holds unknown fields is kept as it is.
 *
 * <p>The shared map is immutable: adding to it throws. Objects held by the informers are never
 * written (fabric8's contract, and ours: the operator builds new objects for what it writes), and
 * an empty map equals, hashes and serialises like the one it replaces.
 */
final class SharedEmptyExtras {
  private static final Map<String, Object> SHARED = Map.of();

  private SharedEmptyExtras() {}

  /** Shares the empty maps of {@code object} and everything it holds; returns it. */
  static <T> T share(T object) {
    walk(object, 0);
    return object;
  }

  /** The map every empty one becomes (for tests). */
  static Map<String, Object> shared() {
    return SHARED;
  }

  private static void walk(Object value, int depth) {
    if (value == null || depth > ModelFields.MAX_DEPTH) {
      return;
    }
    if (value instanceof Collection<?> items) {
      for (Object item : items) {
        walk(item, depth + 1);
      }
      return;
    }
    ModelFields fields = ModelFields.of(value.getClass());
    Map<?, ?> extras = fields.extrasOf(value);
    if (extras != null && extras.isEmpty() && extras != SHARED) {
      try {
        fields.extras.set(value, SHARED);
      } catch (IllegalAccessException e) {
        // Made accessible when the fields were listed; a class we cannot touch keeps its map.
      }
    }
    for (Field child : fields.nested) {
      walk(ModelFields.read(child, value), depth + 1);
    }
  }
}
