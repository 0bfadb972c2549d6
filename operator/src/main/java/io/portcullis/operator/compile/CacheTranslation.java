package io.portcullis.operator.compile;

import io.portcullis.operator.crd.CacheSpec;
import io.portcullis.cli.ByteSizes;
import io.portcullis.snapshot.filter.CachePolicy;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code cache} filter kind from a ProxyRoute ({@code spec.cache}, {@code routes[].cache},
 * where {@code enabled: false} on a route turns the spec's off) or from Ingress annotations.
 */
final class CacheTranslation {
  static final String ANNOTATION = "portcullis.io/cache";
  static final String MAX_OBJECT_SIZE_ANNOTATION = "portcullis.io/cache-max-object-size";
  static final String KEY_HEADERS_ANNOTATION = "portcullis.io/cache-key-headers";

  private CacheTranslation() {}

  /**
   * The policy a {@code cache} field asks for; null when absent or turned off.
   *
   * @throws InvalidInputException naming {@code field} and what is wrong with it
   */
  static CachePolicy of(CacheSpec cache, String field) throws InvalidInputException {
    if (cache == null || Boolean.FALSE.equals(cache.enabled)) {
      return null;
    }
    return policy(cache.maxObjectSize, cache.keyHeaders, field);
  }

  /** {@code filters} without the cache kind when the route's {@code cache} turns it off. */
  static List<FilterConfig> unlessTurnedOff(CacheSpec route, List<FilterConfig> filters) {
    if (route == null || !Boolean.FALSE.equals(route.enabled)) {
      return filters;
    }
    return filters.stream().filter(f -> !f.kind().equals(CachePolicy.KIND)).toList();
  }

  /**
   * The policy the cache annotations ask for, or null. An unusable value leaves caching off for
   * the Ingress and is reported to {@code invalid} with the annotation it came from.
   */
  static CachePolicy of(Map<String, String> annotations, FilterTranslation.Invalid invalid) {
    String on = annotations.get(ANNOTATION);
    if (on == null) {
      return null;
    }
    String flag = on.trim().toLowerCase(Locale.ROOT);
    if (!flag.equals("true") && !flag.equals("false")) {
      invalid.report(ANNOTATION, on, new InvalidInputException("expected \"true\" or \"false\""));
      return null;
    }
    if (flag.equals("false")) {
      return null;
    }
    String size = annotations.get(MAX_OBJECT_SIZE_ANNOTATION);
    String keys = annotations.get(KEY_HEADERS_ANNOTATION);
    try {
      size(size == null ? null : size.trim(), "the value");
    } catch (InvalidInputException e) {
      invalid.report(MAX_OBJECT_SIZE_ANNOTATION, size, e);
      return null;
    }
    try {
      return policy(size == null ? null : size.trim(),
          keys == null ? null : Arrays.stream(keys.split(",")).map(String::trim).toList(),
          "the value");
    } catch (InvalidInputException e) {
      invalid.report(KEY_HEADERS_ANNOTATION, keys, e);
      return null;
    }
  }

  private static CachePolicy policy(String maxObjectSize, List<String> keyHeaders, String field)
      throws InvalidInputException {
    long size = size(maxObjectSize, field + ".maxObjectSize");
    try {
      return new CachePolicy(size, keyHeaders);
    } catch (IllegalArgumentException | NullPointerException e) {
      throw new InvalidInputException(field + ": " + e.getMessage());
    }
  }

  private static long size(String maxObjectSize, String field) throws InvalidInputException {
    if (maxObjectSize == null) {
      return 0;
    }
    long size;
    try {
      size = ByteSizes.parse(maxObjectSize);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage());
    }
    if (size == 0) {
      throw new InvalidInputException(field + " must be above 0");
    }
    return size;
  }
}
