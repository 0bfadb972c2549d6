package io.portcullis.operator.source;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Fields of Kubernetes' own kinds that no model knows ({@code pathtype}, {@code servicName}).
 * fabric8 keeps them in each object's {@code additionalProperties} instead of failing, and an
 * API server would drop them with at most a warning, so the object is still used; but in local
 * mode the user should hear about the typo that leaves a field at its default.
 */
final class UnknownFields {
  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  private UnknownFields() {}

  /** One error per unknown field, with its path from the object's root. */
  static List<FieldError> of(Object object) {
    List<FieldError> found = new ArrayList<>();
    walk(object, new ArrayList<>(), found, 0);
    return found;
  }

  private static void walk(Object value, List<Object> path, List<FieldError> found, int depth) {
    if (value == null || depth > 32) {
      return;
    }
    if (value instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        path.add(i);
        walk(list.get(i), path, found, depth + 1);
        path.remove(path.size() - 1);
      }
      return;
    }
    if (!value.getClass().getName().startsWith(MODEL_PACKAGE)) {
      return;
    }
    List<String> known = new ArrayList<>();
    List<Field> fields = new ArrayList<>();
    for (Class<?> type = value.getClass(); type != null && type != Object.class; type = type.getSuperclass()) {
      for (Field field : type.getDeclaredFields()) {
        if (Modifier.isStatic(field.getModifiers()) || field.getName().equals("additionalProperties")) {
          continue;
        }
        fields.add(field);
        known.add(jsonName(field));
      }
    }
    for (Field field : fields) {
      Object child;
      try {
        field.setAccessible(true);
        child = field.get(value);
      } catch (ReflectiveOperationException | RuntimeException e) {
        continue;
      }
      path.add(jsonName(field));
      walk(child, path, found, depth + 1);
      path.remove(path.size() - 1);
    }
    Map<String, Object> extra = additionalProperties(value);
    for (String name : extra.keySet()) {
      List<Object> at = new ArrayList<>(path);
      at.add(name);
      String hint = Names.closest(name, known).map(k -> " (did you mean " + k + "?)").orElse("");
      found.add(new FieldError(at, "unknown field, ignored" + hint));
    }
  }

  private static String jsonName(Field field) {
    JsonProperty property = field.getAnnotation(JsonProperty.class);
    return property != null && !property.value().isEmpty() ? property.value() : field.getName();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> additionalProperties(Object value) {
    try {
      Object extra = value.getClass().getMethod("getAdditionalProperties").invoke(value);
      return extra instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
    } catch (ReflectiveOperationException | RuntimeException e) {
      return Map.of();
    }
  }
}
