package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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
  /** fabric8's model classes, whose instances carry the maps. */
  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  private static final String FIELD = "additionalProperties";

  /** Deeper than any Kubernetes object nests: a cycle guard, not a limit anything reaches. */
  private static final int MAX_DEPTH = 32;

  private static final Map<String, Object> SHARED = Map.of();

  private static final ClassValue<Plan> PLANS = new ClassValue<>() {
    @Override
    protected Plan computeValue(Class<?> type) {
      return Plan.of(type);
    }
  };

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
    if (value == null || depth > MAX_DEPTH) {
      return;
    }
    if (value instanceof Collection<?> items) {
      for (Object item : items) {
        walk(item, depth + 1);
      }
      return;
    }
    Plan plan = PLANS.get(value.getClass());
    if (plan.extras != null) {
      try {
        if (plan.extras.get(value) instanceof Map<?, ?> map && map.isEmpty() && map != SHARED) {
          plan.extras.set(value, SHARED);
        }
      } catch (IllegalAccessException e) {
        // Made accessible when the plan was built; a model class we cannot touch keeps its map.
      }
    }
    for (Field child : plan.children) {
      try {
        walk(child.get(value), depth + 1);
      } catch (IllegalAccessException e) {
        // As above: left as it is.
      }
    }
  }

  /** Per class: its own extras field, and the fields that may hold more model objects. */
  private record Plan(Field extras, Field[] children) {
    private static final Plan NONE = new Plan(null, new Field[0]);

    static Plan of(Class<?> type) {
      // A custom resource (ProxyRoute) is not in the model, but its metadata is.
      if (!inModel(type) && !HasMetadata.class.isAssignableFrom(type)) {
        return NONE;
      }
      Field extras = null;
      List<Field> children = new ArrayList<>();
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        for (Field field : c.getDeclaredFields()) {
          if (Modifier.isStatic(field.getModifiers()) || !field.trySetAccessible()) {
            continue;
          }
          if (field.getName().equals(FIELD) && Map.class.isAssignableFrom(field.getType())) {
            extras = extras == null ? field : extras;
          } else if (Collection.class.isAssignableFrom(field.getType()) || inModel(field.getType())) {
            children.add(field);
          }
        }
      }
      return new Plan(extras, children.toArray(Field[]::new));
    }

    /** fabric8's model, and any class that extends one of its classes. */
    private static boolean inModel(Class<?> type) {
      for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
        if (c.getName().startsWith(MODEL_PACKAGE)) {
          return true;
        }
      }
      return false;
    }
  }
}
