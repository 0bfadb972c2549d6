package io.portcullis.operator.compile;

import io.portcullis.operator.crd.FilterSpec;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.filter.CorsPolicy;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** The {@code cors} field of ProxyRoutes and the {@code portcullis.io/cors-*} Ingress annotations. */
final class CorsTranslation {
  static final String ALLOW_ORIGINS = "portcullis.io/cors-allow-origins";
  static final String ALLOW_METHODS = "portcullis.io/cors-allow-methods";
  static final String ALLOW_HEADERS = "portcullis.io/cors-allow-headers";
  static final String EXPOSE_HEADERS = "portcullis.io/cors-expose-headers";
  static final String ALLOW_CREDENTIALS = "portcullis.io/cors-allow-credentials";
  static final String MAX_AGE = "portcullis.io/cors-max-age";
  static final List<String> ANNOTATIONS =
      List.of(ALLOW_ORIGINS, ALLOW_METHODS, ALLOW_HEADERS, EXPOSE_HEADERS, ALLOW_CREDENTIALS, MAX_AGE);

  private CorsTranslation() {}

  /** The policy of a ProxyRoute's {@code cors} at {@code field}, or null when it has none. */
  static CorsPolicy of(FilterSpec.Cors cors, String field) throws InvalidInputException {
    if (cors == null) {
      return null;
    }
    if (cors.allowOrigins == null || cors.allowOrigins.isEmpty()) {
      throw new InvalidInputException(field + ".allowOrigins must name at least one origin");
    }
    return build(field, cors.allowOrigins, cors.allowMethods, cors.allowHeaders,
        cors.exposeHeaders, Boolean.TRUE.equals(cors.allowCredentials),
        ClusterPolicies.millis(cors.maxAge, field + ".maxAge", 0));
  }

  /**
   * The policy the annotations ask for, or null when {@code cors-allow-origins} is absent (the
   * other cors annotations alone enable nothing).
   */
  static CorsPolicy of(Map<String, String> annotations) throws InvalidInputException {
    String origins = annotations.get(ALLOW_ORIGINS);
    if (origins == null) {
      return null;
    }
    String credentials = annotations.getOrDefault(ALLOW_CREDENTIALS, "false").trim();
    if (!credentials.equals("true") && !credentials.equals("false")) {
      throw new InvalidInputException(ALLOW_CREDENTIALS + " must be \"true\" or \"false\"");
    }
    String maxAge = annotations.get(MAX_AGE);
    return build("annotations", list(origins), list(annotations.get(ALLOW_METHODS)),
        list(annotations.get(ALLOW_HEADERS)), list(annotations.get(EXPOSE_HEADERS)),
        credentials.equals("true"),
        ClusterPolicies.millis(maxAge == null ? null : maxAge.trim(), MAX_AGE, 0));
  }

  private static CorsPolicy build(String field, List<String> origins, List<String> methods,
      List<String> headers, List<String> expose, boolean credentials, long maxAgeMillis)
      throws InvalidInputException {
    if (methods != null) {
      for (String m : methods) {
        if (m != null && !m.equals("*") && !ProxyRouteTranslator.METHODS.contains(m.trim())) {
          throw new InvalidInputException(field + ": unknown method '" + m + "' (methods are upper case)");
        }
      }
    }
    try {
      return new CorsPolicy(origins, methods, headers, expose, credentials, maxAgeMillis / 1000);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage());
    }
  }

  private static List<String> list(String commaSeparated) {
    return commaSeparated == null ? null : Arrays.asList(commaSeparated.split(","));
  }
}
