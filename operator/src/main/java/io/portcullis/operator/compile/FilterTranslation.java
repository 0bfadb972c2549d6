package io.portcullis.operator.compile;

import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The request-path filters (CORS, and the kinds to come) of ProxyRoutes and Ingresses, as
 * snapshot filter configs on each route. A ProxyRoute's spec-level settings apply to each of its
 * routes, and a route's own setting of a kind replaces the spec-level one; an Ingress's
 * annotations apply to every path of it. (Settings are attached per route, not per virtual host,
 * because several objects may share a host and each one's settings cover only its own routes.)
 *
 * <p>Adding a kind: a translation class of its own, and one line in each method here.
 */
final class FilterTranslation {
  private FilterTranslation() {}

  /**
   * A ProxyRoute's spec-level filters; invalid settings reject the whole object, except those
   * that fail closed (IP rules), which are reported to {@code invalid}.
   */
  static List<FilterConfig> ofSpec(ProxyRouteSpec spec, Invalid invalid) throws InvalidInputException {
    List<FilterConfig> filters = new ArrayList<>();
    add(filters, CorsTranslation.of(spec.cors, "spec.cors"));
    add(filters, CacheTranslation.of(spec.cache, "spec.cache"));
    add(filters, CompressionTranslation.of(spec.compression, "spec.compression"));
    add(filters, WafTranslation.of(spec.waf, "spec.waf"));
    add(filters, RateLimitTranslation.of(spec.rateLimit, "spec.rateLimit"));
    add(filters, IpRulesTranslation.of(spec.ipAllow, spec.ipDeny, "spec", invalid));
    filters.addAll(LimitsTranslation.of(spec.maxRequestBody, spec.concurrentRequestsPerClient, "spec."));
    return filters;
  }

  /** One route's filters: the spec-level ones, each kind replaced by the route's own. */
  static List<FilterConfig> ofRoute(ProxyRouteSpec.RouteSpec route, List<FilterConfig> spec,
      Invalid invalid) throws InvalidInputException {
    List<FilterConfig> own = new ArrayList<>();
    add(own, CorsTranslation.of(route.cors, "cors"));
    add(own, CacheTranslation.of(route.cache, "cache"));
    add(own, CompressionTranslation.of(route.compression, "compression"));
    add(own, WafTranslation.of(route.waf, "waf"));
    add(own, RateLimitTranslation.of(route.rateLimit, "rateLimit"));
    add(own, IpRulesTranslation.of(route.ipAllow, route.ipDeny, "", invalid));
    own.addAll(LimitsTranslation.of(route.maxRequestBody, route.concurrentRequestsPerClient, ""));
    return CompressionTranslation.withoutIfDisabled(route.compression,
        CacheTranslation.unlessTurnedOff(route.cache, merge(spec, own)));
  }

  /**
   * An Ingress's filters from its annotations. An unusable value of a kind drops that kind and
   * is reported to {@code invalid} with the annotation it came from.
   */
  static List<FilterConfig> ofIngress(Map<String, String> annotations, Invalid invalid) {
    List<FilterConfig> filters = new ArrayList<>();
    if (annotations == null || annotations.isEmpty()) {
      return filters;
    }
    try {
      add(filters, CorsTranslation.of(annotations));
    } catch (InvalidInputException e) {
      invalid.report(CorsTranslation.ALLOW_ORIGINS, annotations.get(CorsTranslation.ALLOW_ORIGINS), e);
    }
    add(filters, CacheTranslation.of(annotations, invalid));
    add(filters, CompressionTranslation.of(annotations, invalid));
    add(filters, WafTranslation.of(annotations, invalid));
    add(filters, RateLimitTranslation.of(annotations, invalid));
    add(filters, IpRulesTranslation.of(annotations, invalid));
    return filters;
  }

  /**
   * Where an unusable filter setting is reported: an Ingress annotation, or a ProxyRoute field
   * of a kind that fails closed instead of rejecting the object.
   */
  @FunctionalInterface
  interface Invalid {
    void report(String annotation, String value, InvalidInputException e);
  }

  private static void add(List<FilterConfig> filters, FilterConfig config) {
    if (config != null) {
      filters.add(config);
    }
  }

  private static List<FilterConfig> merge(List<FilterConfig> inherited, List<FilterConfig> own) {
    if (own.isEmpty()) {
      return inherited;
    }
    Map<String, FilterConfig> byKind = new LinkedHashMap<>();
    inherited.forEach(f -> byKind.put(f.kind(), f));
    own.forEach(f -> byKind.put(f.kind(), f));
    return List.copyOf(byKind.values());
  }
}
