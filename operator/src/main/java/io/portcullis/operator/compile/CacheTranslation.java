package io.portcullis.operator.compile;

import io.portcullis.operator.crd.CacheSpec;
import io.portcullis.snapshot.cli.ByteSizes;
import io.portcullis.snapshot.filter.CachePolicy;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code cache} filter kind from a ProxyRoute ({@code spec.cache}, {@code routes[].cache}) or
 * from Ingress annotations. A ProxyRoute's spec-level cache applies to each of its routes (a
 * route's own {@code cache} replaces it), so routes of other objects on the same host are not
 * affected.
 */
final class CacheTranslation {
  static final String ANNOTATION = "portcullis.io/cache";
  static final String MAX_OBJECT_SIZE_ANNOTATION = "portcullis.io/cache-max-object-size";
  static final String KEY_HEADERS_ANNOTATION = "portcullis.io/cache-key-headers";

  private CacheTranslation() {}

  /**
   * The filter configs for one ProxyRoute route: a cache policy when the route's or the spec's
   * {@code cache} asks for one.
   *
   * @throws InvalidInputException naming the bad field (the route is rejected with a condition)
   */
  static List<FilterConfig> routeFilters(CacheSpec specLevel, CacheSpec routeLevel)
      throws InvalidInputException {
    CacheSpec spec = routeLevel != null ? routeLevel : specLevel;
    String where = routeLevel != null ? "cache" : "spec.cache";
    if (spec == null || Boolean.FALSE.equals(spec.enabled)) {
      return List.of();
    }
    return List.of(policy(spec.maxObjectSize, spec.keyHeaders, where));
  }

  /**
   * The filter configs of an Ingress's cache annotations. A bad value leaves caching off for the
   * Ingress and says so in a Warning event, like the other annotations (an Ingress has no
   * conditions).
   */
  static List<FilterConfig> ingressFilters(
      ObjectRef ref, Map<String, String> annotations, StatusCollector status) {
    if (annotations == null || !annotations.containsKey(ANNOTATION)) {
      return List.of();
    }
    String on = annotations.get(ANNOTATION).trim().toLowerCase(Locale.ROOT);
    if (!on.equals("true") && !on.equals("false")) {
      warn(ref, status, ANNOTATION, annotations.get(ANNOTATION), "expected \"true\" or \"false\"");
      return List.of();
    }
    if (on.equals("false")) {
      return List.of();
    }
    String size = annotations.get(MAX_OBJECT_SIZE_ANNOTATION);
    String keys = annotations.get(KEY_HEADERS_ANNOTATION);
    try {
      return List.of(policy(size == null ? null : size.trim(),
          keys == null ? null : Arrays.stream(keys.split(",")).map(String::trim).toList(),
          "the value"));
    } catch (InvalidInputException e) {
      warn(ref, status, size != null ? MAX_OBJECT_SIZE_ANNOTATION : KEY_HEADERS_ANNOTATION,
          size != null ? size : keys, e.getMessage());
      return List.of();
    }
  }

  private static CachePolicy policy(String maxObjectSize, List<String> keyHeaders, String where)
      throws InvalidInputException {
    long size = 0;
    if (maxObjectSize != null) {
      try {
        size = ByteSizes.parse(maxObjectSize);
      } catch (IllegalArgumentException e) {
        throw new InvalidInputException(where + ".maxObjectSize: " + e.getMessage());
      }
      if (size == 0) {
        throw new InvalidInputException(where + ".maxObjectSize must be above 0");
      }
    }
    try {
      return new CachePolicy(size, keyHeaders);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidInputException(where + ": " + e.getMessage());
    }
  }

  private static void warn(ObjectRef ref, StatusCollector status, String key, String value,
      String why) {
    status.event(ref, true, Reasons.INVALID_ANNOTATION, "annotation " + key + ": \""
        + StatusCollector.bounded(value) + "\" is not usable (" + why + "); caching stays off");
  }
}
