package io.portcullis.dataplane.config;

import io.portcullis.snapshot.HeaderRewrite;

/** What the router decided for one request. */
public sealed interface RouteDecision {

  /** No route of the request's virtual host matched and there is no default backend: 404. */
  record NotFound() implements RouteDecision {}

  /**
   * Send the request to {@code cluster}.
   *
   * @param route the name of the route that matched (metrics label), or {@code default-backend}
   * @param cluster the cluster picked by weight among the route's backends
   * @param pathAndQuery the request target to send upstream (after any prefix rewrite)
   * @param requestHeaders changes to make to the request
   * @param responseHeaders changes to make to the response
   * @param timeoutMillis response timeout; 0 means the dataplane default
   */
  record Forward(
      String route,
      ClusterRuntime cluster,
      String pathAndQuery,
      HeaderRewrite requestHeaders,
      HeaderRewrite responseHeaders,
      long timeoutMillis)
      implements RouteDecision {}

  /** Answer with a redirect to {@code location}. */
  record Redirect(String route, int status, String location, HeaderRewrite responseHeaders)
      implements RouteDecision {}

  /** Answer directly. */
  record Direct(String route, int status, String body, HeaderRewrite responseHeaders)
      implements RouteDecision {}
}
