package io.portcullis.operator.compile;

import io.portcullis.operator.crd.FilterSpec;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.filter.CompressionPolicy;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@code compression} field of ProxyRoutes (spec and route level) and the {@code
 * portcullis.io/compression*} Ingress annotations, as the snapshot's {@code compression} kind.
 */
final class CompressionTranslation {
  static final String ANNOTATION = "portcullis.io/compression";
  static final String ALGORITHMS_ANNOTATION = "portcullis.io/compression-algorithms";
  static final String MIN_LENGTH_ANNOTATION = "portcullis.io/compression-min-length";
  static final String TYPES_ANNOTATION = "portcullis.io/compression-types";

  private CompressionTranslation() {}

  /**
   * The policy of a ProxyRoute's {@code compression} at {@code field}; null when it has none or
   * says {@code enabled: false} (see {@link #withoutIfDisabled}).
   */
  static CompressionPolicy of(FilterSpec.Compression c, String field)
      throws InvalidInputException {
    if (c == null || Boolean.FALSE.equals(c.enabled)) {
      return null;
    }
    try {
      return new CompressionPolicy(c.algorithms, orZero(c.minLength), c.contentTypes,
          orZero(c.gzipLevel), orZero(c.brotliLevel), orZero(c.zstdLevel));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage());
    }
  }

  /** {@code filters} without compression when the route says {@code compression: {enabled: false}}. */
  static List<FilterConfig> withoutIfDisabled(
      FilterSpec.Compression route, List<FilterConfig> filters) {
    if (route == null || !Boolean.FALSE.equals(route.enabled)) {
      return filters;
    }
    return filters.stream().filter(f -> !(f instanceof CompressionPolicy)).toList();
  }

  /**
   * The policy the annotations ask for, or null unless {@code portcullis.io/compression} is
   * {@code "true"}. A tuning value we cannot use is reported and its default applies: a typo in a
   * threshold should not turn compression off.
   */
  static CompressionPolicy of(Map<String, String> annotations, FilterTranslation.Invalid invalid) {
    String on = annotations.get(ANNOTATION);
    if (on == null || on.trim().equalsIgnoreCase("false")) {
      return null;
    }
    if (!on.trim().equalsIgnoreCase("true")) {
      invalid.report(ANNOTATION, on, new InvalidInputException("must be \"true\" or \"false\""));
      return null;
    }
    List<String> algorithms = List.of();
    int minLength = 0;
    List<String> types = List.of();
    String value = annotations.get(ALGORITHMS_ANNOTATION);
    if (value != null) {
      try {
        algorithms = new CompressionPolicy(list(value), 0, List.of(), 0, 0, 0).algorithms();
      } catch (IllegalArgumentException e) {
        invalid.report(ALGORITHMS_ANNOTATION, value, new InvalidInputException(e.getMessage()));
      }
    }
    value = annotations.get(MIN_LENGTH_ANNOTATION);
    if (value != null) {
      try {
        int n = Integer.parseInt(value.trim());
        if (n < 0) {
          throw new NumberFormatException();
        }
        minLength = n;
      } catch (NumberFormatException e) {
        invalid.report(MIN_LENGTH_ANNOTATION, value,
            new InvalidInputException("must be a whole number of bytes"));
      }
    }
    value = annotations.get(TYPES_ANNOTATION);
    if (value != null) {
      try {
        types = new CompressionPolicy(List.of(), 0, list(value), 0, 0, 0).contentTypes();
      } catch (IllegalArgumentException e) {
        invalid.report(TYPES_ANNOTATION, value, new InvalidInputException(e.getMessage()));
      }
    }
    return new CompressionPolicy(algorithms, minLength, types, 0, 0, 0);
  }

  private static List<String> list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
