package io.portcullis.snapshot;

import io.portcullis.snapshot.filter.FilterConfig;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;

/**
 * The routes of one host pattern.
 *
 * @param host lower-case exact host ({@code shop.example.com}), a wildcard that matches exactly one
 *     extra label ({@code *.example.com}), or {@link #ANY_HOST} for rules without a host
 * @param routes in priority order: the first route whose match accepts a request wins
 * @param tls how the host is served over TLS, or null when it is plain HTTP only
 * @param filters request-path filter configs for every request to the host, including requests
 *     no route matches; a route's config of the same kind replaces the host's (see {@link
 *     FilterConfig}); omitted from JSON when empty
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record VirtualHost(
    String host,
    List<Route> routes,
    TlsPolicy tls,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FilterConfig> filters) {
  /** The host pattern of rules that name no host. */
  public static final String ANY_HOST = "*";

  public VirtualHost {
    host = Sorted.requireText(host, "virtual host").toLowerCase(Locale.ROOT);
    routes = Sorted.copy(routes);
    filters = FilterConfig.canonical(filters);
    if (!host.equals(ANY_HOST) && host.indexOf('*') > 0) {
      throw new IllegalArgumentException("wildcard must be the first label: " + host);
    }
  }

  /** A virtual host without host-wide filters. */
  public VirtualHost(String host, List<Route> routes, TlsPolicy tls) {
    this(host, routes, tls, List.of());
  }

  /** The same virtual host with {@code filters}. */
  public VirtualHost withFilters(List<FilterConfig> filters) {
    return new VirtualHost(host, routes, tls, filters);
  }

  /** A plain-HTTP virtual host. */
  public VirtualHost(String host, List<Route> routes) {
    this(host, routes, null);
  }

  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean isWildcard() {
    return host.startsWith("*.");
  }
}
