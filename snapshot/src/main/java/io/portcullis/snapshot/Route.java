package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One route: a match and what to do with the requests it accepts.
 *
 * @param name unique in the snapshot, stable across versions; the label in metrics and logs
 *     (for example {@code ingress/default/shop/r0/p1} or {@code proxyroute/default/shop/api})
 * @param match which requests the route accepts
 * @param action forward, redirect or answer directly
 * @param requestHeaders changes to the request before it goes to a backend
 * @param responseHeaders changes to the response before it goes to the client
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Route(
    String name,
    RouteMatch match,
    RouteAction action,
    HeaderRewrite requestHeaders,
    HeaderRewrite responseHeaders) {

  public Route {
    Sorted.requireText(name, "route name");
    java.util.Objects.requireNonNull(match, "match");
    java.util.Objects.requireNonNull(action, "action");
    requestHeaders = requestHeaders == null ? HeaderRewrite.NONE : requestHeaders;
    responseHeaders = responseHeaders == null ? HeaderRewrite.NONE : responseHeaders;
  }

  public static Route of(String name, RouteMatch match, RouteAction action) {
    return new Route(name, match, action, HeaderRewrite.NONE, HeaderRewrite.NONE);
  }
}
