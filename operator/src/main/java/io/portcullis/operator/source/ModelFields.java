package io.portcullis.operator.source;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The fields of one fabric8 model class, as a reflective walk of a decoded object needs them,
 * worked out once per class: its {@code additionalProperties} map (the fields fabric8 did not
 * know) and the fields that may hold more model objects. Shared by the walks that report unknown
 * fields ({@link UnknownFields}) and that share the empty maps ({@link SharedEmptyExtras}).
 */
final class ModelFields {
  /** fabric8's model classes. */
  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  private static final String EXTRAS = "additionalProperties";

  /** Deeper than any Kubernetes object nests: a cycle guard for walks, not a limit anything reaches. */
  static final int MAX_DEPTH = 32;

  /** What a class outside the model has: nothing to walk. */
  private static final ModelFields NONE = new ModelFields(false, null, List.of(), List.of());

  private static final ClassValue<ModelFields> OF = new ClassValue<>() {
    @Override
    protected ModelFields computeValue(Class<?> type) {
      return compute(type);
    }
  };

  /** Whether instances are walked: fabric8's model, and custom resources (their metadata is). */
  final boolean walked;
  /** The unknown-field map, or null when the class has none. */
  final Field extras;
  /** Instance fields of a collection or model type, accessible. */
  final List<Field> nested;
  /** The JSON names of all its known fields (what a typo is compared with). */
  final List<String> names;

  private ModelFields(boolean walked, Field extras, List<Field> nested, List<String> names) {
    this.walked = walked;
    this.extras = extras;
    this.nested = nested;
    this.names = names;
  }

  /** The name {@code field} has in JSON. */
  static String jsonName(Field field) {
    JsonProperty property = field.getAnnotation(JsonProperty.class);
    return property != null && !property.value().isEmpty() ? property.value() : field.getName();
  }

  static ModelFields of(Class<?> type) {
    return OF.get(type);
  }

  /** The unknown fields {@code value} (of a walked class) carries, or null. */
  Map<?, ?> extrasOf(Object value) {
    try {
      return extras != null && extras.get(value) instanceof Map<?, ?> map ? map : null;
    } catch (IllegalAccessException e) {
      return null; // made accessible when this was built
    }
  }

  /** What {@code field} of {@code value} holds, or null when it cannot be read. */
  static Object read(Field field, Object value) {
    try {
      return field.get(value);
    } catch (IllegalAccessException e) {
      return null; // made accessible when this was built
    }
  }

  private static ModelFields compute(Class<?> type) {
    if (!inModel(type) && !HasMetadata.class.isAssignableFrom(type)) {
      return NONE;
    }
    Field extras = null;
    List<Field> nested = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
      for (Field field : c.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) || !field.trySetAccessible()) {
          continue;
        }
        if (field.getName().equals(EXTRAS) && Map.class.isAssignableFrom(field.getType())) {
          extras = extras == null ? field : extras;
          continue;
        }
        names.add(jsonName(field));
        if (Collection.class.isAssignableFrom(field.getType()) || inModel(field.getType())) {
          nested.add(field);
        }
      }
    }
    return new ModelFields(true, extras, List.copyOf(nested), List.copyOf(names));
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
