package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The configuration of one request-path filter kind, attached to a virtual host (every request
 * of the host) or to a route (that route only). A route's config of a kind replaces its host's
 * config of that kind; kinds the route does not name are inherited from the host.
 *
 * <p>The JSON type name is the stable wire name of the kind. The dataplane runs the kinds in an
 * order it fixes itself (client address and IP rules, rate limits, CORS, authentication, WAF,
 * cache, compression, then the upstream exchange); the order of this list carries no meaning and
 * is canonical (sorted by kind) so that equal configs hash equally.
 *
 * <p>Adding a kind: a record here (validated in its compact constructor), its name below, the
 * CRD field and translator in the operator, and one filter class in the dataplane.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = CorsPolicy.class, name = CorsPolicy.KIND),
  @JsonSubTypes.Type(value = AuthPolicy.class, name = AuthPolicy.KIND),
  @JsonSubTypes.Type(value = CachePolicy.class, name = CachePolicy.KIND),
  @JsonSubTypes.Type(value = CompressionPolicy.class, name = CompressionPolicy.KIND),
  @JsonSubTypes.Type(value = WafSettings.class, name = WafSettings.KIND),
  @JsonSubTypes.Type(value = RateLimitPolicy.class, name = RateLimitPolicy.KIND),
  @JsonSubTypes.Type(value = IpRules.class, name = IpRules.KIND),
  @JsonSubTypes.Type(value = BodyLimit.class, name = BodyLimit.KIND),
  @JsonSubTypes.Type(value = ConcurrencyLimit.class, name = ConcurrencyLimit.KIND),
  @JsonSubTypes.Type(value = ErrorPages.class, name = ErrorPages.KIND)
})
public sealed interface FilterConfig
    permits CorsPolicy, AuthPolicy, CachePolicy, CompressionPolicy, WafSettings,
        RateLimitPolicy, IpRules, BodyLimit, ConcurrencyLimit, ErrorPages {

  /** The kind's wire name, the same as its JSON type name. */
  @JsonIgnore
  String kind();

  /**
   * The canonical form of a filter list: sorted by kind, at most one config per kind, never null.
   *
   * @throws IllegalArgumentException when a kind appears twice
   */
  static List<FilterConfig> canonical(List<FilterConfig> filters) {
    if (filters == null || filters.isEmpty()) {
      return List.of();
    }
    Set<String> kinds = new HashSet<>();
    for (FilterConfig f : filters) {
      if (f == null) {
        throw new IllegalArgumentException("filter config must not be null");
      }
      if (!kinds.add(f.kind())) {
        throw new IllegalArgumentException("filter kind " + f.kind() + " appears twice");
      }
    }
    return filters.stream().sorted(Comparator.comparing(FilterConfig::kind)).toList();
  }
}
