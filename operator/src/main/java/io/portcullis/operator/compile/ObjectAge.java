package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * "Oldest wins": the order used for conflicts and for picking the default backend. By
 * creationTimestamp, then namespace, then name, so the outcome never depends on list order. An
 * object without a (parsable) timestamp, as in local mode, counts as the newest.
 */
final class ObjectAge {
  private ObjectAge() {}

  /** An object with its sort key, so that a sort parses each timestamp once, not per comparison. */
  private record Aged<T extends HasMetadata>(Instant created, String namespace, String name, T object) {
    static <T extends HasMetadata> Aged<T> of(T object) {
      ObjectMeta meta = object.getMetadata();
      return new Aged<>(ObjectAge.created(meta), nullToEmpty(meta == null ? null : meta.getNamespace()),
          nullToEmpty(meta == null ? null : meta.getName()), object);
    }
  }

  private static final Comparator<Aged<?>> BY_AGE =
      Comparator.comparing((Aged<?> a) -> a.created())
          .thenComparing(Aged::namespace)
          .thenComparing(Aged::name);

  /**
   * {@code objects}, oldest first. At 10,000 Ingresses a comparator that parsed both timestamps
   * on every comparison was the largest frame of ours in a first compile.
   */
  static <T extends HasMetadata> List<T> oldestFirst(Collection<T> objects) {
    List<Aged<T>> aged = new ArrayList<>(objects.size());
    for (T object : objects) {
      aged.add(Aged.of(object));
    }
    aged.sort(BY_AGE);
    List<T> sorted = new ArrayList<>(aged.size());
    for (Aged<T> a : aged) {
      sorted.add(a.object());
    }
    return sorted;
  }

  static Instant created(ObjectMeta meta) {
    String text = meta == null ? null : meta.getCreationTimestamp();
    if (text == null || text.isEmpty()) {
      return Instant.MAX;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return Instant.MAX;
    }
  }

  static ObjectRef ref(String kind, HasMetadata object) {
    ObjectMeta meta = object.getMetadata();
    Long generation = meta.getGeneration();
    return new ObjectRef(
        kind,
        nullToEmpty(meta.getNamespace()),
        meta.getName(),
        generation == null ? 0 : generation,
        meta.getUid());
  }

  static String nullToEmpty(String s) {
    return s == null ? "" : s;
  }
}
