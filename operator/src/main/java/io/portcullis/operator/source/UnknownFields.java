package io.portcullis.operator.source;

import java.lang.reflect.Field;
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
  private UnknownFields() {}

  /** One error per unknown field, with its path from the object's root. */
  static List<FieldError> of(Object object) {
    List<FieldError> found = new ArrayList<>();
    walk(object, new ArrayList<>(), found, 0);
    return found;
  }

  private static void walk(Object value, List<Object> path, List<FieldError> found, int depth) {
    if (value == null || depth > ModelFields.MAX_DEPTH) {
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
    ModelFields fields = ModelFields.of(value.getClass());
    if (!fields.walked) {
      return;
    }
    for (Field field : fields.nested) {
      path.add(ModelFields.jsonName(field));
      walk(ModelFields.read(field, value), path, found, depth + 1);
      path.remove(path.size() - 1);
    }
    Map<?, ?> extra = fields.extrasOf(value);
    if (extra == null) {
      return;
    }
    for (Object name : extra.keySet()) {
      List<Object> at = new ArrayList<>(path);
      at.add(name);
      String hint = Names.closest(String.valueOf(name), fields.names)
          .map(k -> " (did you mean " + k + "?)").orElse("");
      found.add(new FieldError(at, "unknown field, ignored" + hint));
    }
  }
}
