package io.portcullis.snapshot;

import io.portcullis.snapshot.filter.FilterConfig;
import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One route: a match and what to do with the requests it accepts.
 *
 * @param name unique in the snapshot, stable across versions; the label in metrics and logs
 *     (for example {@code ingress/default/shop/shop.example.com/api} or {@code proxyroute/default/shop/api})
 * @param match which requests the route accepts
 * @param action forward, redirect or answer directly
 * @param requestHeaders changes to the request before it goes to a backend
 * @param responseHeaders changes to the response before it goes to the client
 * @param filters request-path filter configs of this route; each replaces the virtual host's
 *     config of the same kind (see {@link FilterConfig}); omitted from JSON when empty, so routes
 *     without filters keep the version they had before filters existed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Route(
    String name,
    RouteMatch match,
    RouteAction action,
    HeaderRewrite requestHeaders,
    HeaderRewrite responseHeaders,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<FilterConfig> filters) {

  public Route {
    Sorted.requireText(name, "route name");
    java.util.Objects.requireNonNull(match, "match");
    java.util.Objects.requireNonNull(action, "action");
    requestHeaders = requestHeaders == null ? HeaderRewrite.NONE : requestHeaders;
    responseHeaders = responseHeaders == null ? HeaderRewrite.NONE : responseHeaders;
    filters = FilterConfig.canonical(filters);
  }

  /** A route without filters. */
  public Route(
      String name,
      RouteMatch match,
      RouteAction action,
      HeaderRewrite requestHeaders,
      HeaderRewrite responseHeaders) {
    this(name, match, action, requestHeaders, responseHeaders, List.of());
  }

  /** The same route with {@code filters}. */
  public Route withFilters(List<FilterConfig> filters) {
    return new Route(name, match, action, requestHeaders, responseHeaders, filters);
  }

  public static Route of(String name, RouteMatch match, RouteAction action) {
    return new Route(name, match, action, HeaderRewrite.NONE, HeaderRewrite.NONE);
  }
}
