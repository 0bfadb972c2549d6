package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Comparator;

/**
 * "Oldest wins": the order used for conflicts and for picking the default backend. By
 * creationTimestamp, then namespace, then name, so the outcome never depends on list order. An
 * object without a (parsable) timestamp, as in local mode, counts as the newest.
 */
final class ObjectAge {
  private ObjectAge() {}

  static final Comparator<HasMetadata> OLDEST_FIRST =
      Comparator.comparing((HasMetadata o) -> created(o.getMetadata()))
          .thenComparing(o -> nullToEmpty(o.getMetadata().getNamespace()))
          .thenComparing(o -> nullToEmpty(o.getMetadata().getName()));

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
