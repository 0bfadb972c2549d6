package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Fills in what an API server would have set on objects read from files: the default namespace,
 * a creation time (counting up from 2000-01-01, one second per object in file order, so "oldest
 * wins" follows file order), and a generation that goes up when an object's content changes.
 */
final class ObjectStamps {
  private static final Instant EPOCH = Instant.parse("2000-01-01T00:00:00Z");

  private final KubernetesSerialization serialization;
  /** Per object key: its content hash and generation, so a changed object gets a new generation. */
  private final Map<String, Generation> generations = new HashMap<>();

  ObjectStamps(KubernetesSerialization serialization) {
    this.serialization = serialization;
  }

  /** Copies of every object, in file order, stamped; a key defined twice is reported. */
  List<HasMetadata> stamp(Collection<List<HasMetadata>> objectsByFile, Consumer<String> problemLog) {
    List<HasMetadata> stamped = new ArrayList<>();
    Map<String, Generation> seen = new HashMap<>();
    long order = 0;
    for (List<HasMetadata> objects : objectsByFile) {
      for (HasMetadata original : objects) {
        HasMetadata object = serialization.clone(original);
        ObjectMeta meta = object.getMetadata();
        if (object instanceof Namespaced && ManifestDocuments.blank(meta.getNamespace())) {
          meta.setNamespace("default");
        }
        if (meta.getCreationTimestamp() == null) {
          meta.setCreationTimestamp(EPOCH.plusSeconds(order).toString());
        }
        order++;
        String key = object.getKind() + "/" + meta.getNamespace() + "/" + meta.getName();
        if (seen.containsKey(key)) {
          problemLog.accept(
              "manifests: " + key + " is defined more than once; the last definition in file order wins");
        }
        String content = ManifestDocuments.sha256(serialization.asJson(original).getBytes());
        Generation previous = generations.get(key);
        long generation =
            previous == null ? 1 : previous.hash().equals(content) ? previous.value() : previous.value() + 1;
        if (meta.getGeneration() == null) {
          meta.setGeneration(generation);
        }
        seen.put(key, new Generation(content, generation));
        stamped.add(object);
      }
    }
    generations.keySet().retainAll(seen.keySet());
    generations.putAll(seen);
    return stamped;
  }

  private record Generation(String hash, long value) {}
}
