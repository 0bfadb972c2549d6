package io.portcullis.operator.source;

import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Why a manifest could not be read, in the words of the YAML its author wrote: a field path
 * ({@code spec.routes[0].loadBalancer.slowStart}) and a reason ({@code unknown field; known fields:
 * policy, hashOn, cookie}) instead of a Jackson message full of Java class names.
 *
 * @param path field names and list indexes from the document's root; empty when unknown
 * @param reason one line, no class names
 */
record FieldError(List<Object> path, String reason) {

  FieldError {
    path = List.copyOf(path);
  }

  /** {@code spec.routes[0].backends}; empty for the root. */
  String dotted() {
    StringBuilder out = new StringBuilder();
    for (Object step : path) {
      if (step instanceof Integer index) {
        out.append('[').append(index).append(']');
      } else {
        if (!out.isEmpty()) {
          out.append('.');
        }
        out.append(step);
      }
    }
    return out.toString();
  }

  /** The mapping error somewhere in {@code failure}'s causes, translated; empty when there is none. */
  static Optional<FieldError> from(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof JsonMappingException mapping) {
        return Optional.of(translate(mapping));
      }
    }
    return Optional.empty();
  }

  private static FieldError translate(JsonMappingException e) {
    List<Object> path = new ArrayList<>();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.add(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.add(ref.getIndex());
      }
    }
    String reason;
    if (e instanceof UnrecognizedPropertyException unknown) {
      reason = "unknown field" + suggestion(unknown.getPropertyName(), unknown.getKnownPropertyIds());
    } else if (e instanceof InvalidFormatException format) {
      reason = "'" + format.getValue() + "' is not " + typeName(format.getTargetType());
    } else if (e instanceof MismatchedInputException mismatched && mismatched.getTargetType() != null) {
      reason = "expected " + typeName(mismatched.getTargetType());
    } else {
      reason = withoutClassNames(e.getOriginalMessage());
    }
    return new FieldError(path, reason);
  }

  /** "; did you mean cookie?" for a near miss, else the fields that exist. */
  private static String suggestion(String field, Collection<Object> known) {
    if (known == null || known.isEmpty()) {
      return "";
    }
    List<String> names = known.stream().map(String::valueOf).sorted().toList();
    Optional<String> closest = Names.closest(field, names);
    if (closest.isPresent()) {
      return " (did you mean " + closest.get() + "?)";
    }
    return "; known fields here: " + names.stream().collect(Collectors.joining(", "));
  }

  /** The YAML-side name of a Java type: what the author should have written. */
  static String typeName(Class<?> type) {
    if (type == null) {
      return "a different value";
    }
    if (type == String.class) {
      return "a string";
    }
    if (type == Boolean.class || type == boolean.class) {
      return "true or false";
    }
    if (type == Integer.class || type == int.class || type == Long.class || type == long.class
        || type == Short.class) {
      return "a whole number";
    }
    if (Number.class.isAssignableFrom(type) || type.isPrimitive()) {
      return "a number";
    }
    if (Collection.class.isAssignableFrom(type) || type.isArray()) {
      return "a list";
    }
    if (type.isEnum()) {
      return "one of " + java.util.Arrays.stream(type.getEnumConstants()).map(String::valueOf)
          .collect(Collectors.joining(", "));
    }
    if (type.getName().equals("io.fabric8.kubernetes.api.model.IntOrString")) {
      return "a number or a name";
    }
    if (type.getName().equals("io.fabric8.kubernetes.api.model.Quantity")) {
      return "a quantity";
    }
    return "an object (key: value pairs)";
  }

  /** Drops {@code (class a.b.C)}, {@code `a.b.C$D`} and similar from a message we could not classify. */
  static String withoutClassNames(String message) {
    if (message == null) {
      return "not readable";
    }
    String firstLine = message.lines().findFirst().orElse(message);
    return firstLine
        .replaceAll("\\s*\\((class|through reference chain)[^)]*\\)", "")
        .replaceAll("`?([a-z][a-z0-9_]*\\.)+([A-Z][A-Za-z0-9_]*\\$)*([A-Z][A-Za-z0-9_]*)`?", "$3")
        .trim();
  }
}
