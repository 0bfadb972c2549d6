package io.portcullis.operator.compile;

import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.filter.CompressionPolicy;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Response compression from a ProxyRoute ({@code spec.compression}, a route's {@code
 * compression}) or an Ingress ({@code portcullis.io/compression: "true"} and its tuning
 * annotations) to the snapshot's {@code compression} filter kind.
 */
final class CompressionTranslation {
  static final String ANNOTATION = "portcullis.io/compression";
  static final String ALGORITHMS_ANNOTATION = "portcullis.io/compression-algorithms";
  static final String MIN_LENGTH_ANNOTATION = "portcullis.io/compression-min-length";
  static final String TYPES_ANNOTATION = "portcullis.io/compression-types";

  private CompressionTranslation() {}

  /**
   * The compression filter of one route: the route's setting, else the spec's; none when neither
   * is given or the one that applies says {@code enabled: false}.
   */
  static List<FilterConfig> forRoute(ProxyRouteSpec.Compression spec,
      ProxyRouteSpec.Compression route) throws InvalidInputException {
    ProxyRouteSpec.Compression c = route != null ? route : spec;
    String where = route != null ? "compression" : "spec.compression";
    if (c == null || Boolean.FALSE.equals(c.enabled)) {
      return List.of();
    }
    try {
      return List.of(new CompressionPolicy(c.algorithms, orZero(c.minLength), c.contentTypes,
          orZero(c.gzipLevel), orZero(c.brotliLevel), orZero(c.zstdLevel)));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(where + ": " + e.getMessage());
    }
  }

  /**
   * The compression filter an Ingress asks for with its annotations, for every path of it. A
   * tuning value we cannot use is reported in a Warning event and its default applies, like the
   * other Ingress annotations.
   */
  static List<FilterConfig> forIngress(
      ObjectRef ref, Map<String, String> annotations, StatusCollector status) {
    if (annotations == null || !"true".equalsIgnoreCase(trim(annotations.get(ANNOTATION)))) {
      String value = annotations == null ? null : annotations.get(ANNOTATION);
      if (value != null && !"false".equalsIgnoreCase(value.trim())) {
        warn(ref, status, ANNOTATION, value, "must be \"true\" or \"false\"");
      }
      return List.of();
    }
    List<String> algorithms = List.of();
    int minLength = 0;
    List<String> types = List.of();
    String value = annotations.get(ALGORITHMS_ANNOTATION);
    if (value != null) {
      try {
        algorithms = new CompressionPolicy(list(value), 0, List.of(), 0, 0, 0).algorithms();
      } catch (IllegalArgumentException e) {
        warn(ref, status, ALGORITHMS_ANNOTATION, value, e.getMessage());
      }
    }
    value = annotations.get(MIN_LENGTH_ANNOTATION);
    if (value != null) {
      try {
        minLength = Integer.parseInt(value.trim());
        if (minLength < 0) {
          throw new NumberFormatException();
        }
      } catch (NumberFormatException e) {
        minLength = 0;
        warn(ref, status, MIN_LENGTH_ANNOTATION, value, "must be a whole number of bytes");
      }
    }
    value = annotations.get(TYPES_ANNOTATION);
    if (value != null) {
      try {
        types = new CompressionPolicy(List.of(), 0, list(value), 0, 0, 0).contentTypes();
      } catch (IllegalArgumentException e) {
        warn(ref, status, TYPES_ANNOTATION, value, e.getMessage());
      }
    }
    return List.of(new CompressionPolicy(algorithms, minLength, types, 0, 0, 0));
  }

  private static void warn(
      ObjectRef ref, StatusCollector status, String key, String value, String why) {
    status.event(ref, true, Reasons.INVALID_ANNOTATION, "annotation " + key + ": \""
        + StatusCollector.bounded(value) + "\" is not usable (" + why + "); the default applies");
  }

  private static List<String> list(String value) {
    return Arrays.stream(value.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static String trim(String s) {
    return s == null ? null : s.trim();
  }

  private static int orZero(Integer value) {
    return value == null ? 0 : value;
  }
}
