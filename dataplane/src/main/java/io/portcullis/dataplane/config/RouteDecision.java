package io.portcullis.dataplane.config;

import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.RetryPolicy;

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
   * @param timeoutMillis time for the whole exchange, retries included; 0 means the dataplane's
   *     response timeout, which then bounds only the wait for the response head
   * @param idleTimeoutMillis the exchange fails when no byte moves either way this long; 0 means
   *     the dataplane default
   * @param retries when to try again (never null)
   * @param mirror the shadow cluster and share, or null
   */
  record Forward(
      String route,
      ClusterRuntime cluster,
      String pathAndQuery,
      HeaderRewrite requestHeaders,
      HeaderRewrite responseHeaders,
      long timeoutMillis,
      long idleTimeoutMillis,
      RetryPolicy retries,
      MirrorTarget mirror)
      implements RouteDecision {
    public Forward {
      retries = retries == null ? RetryPolicy.DEFAULT : retries;
    }

    /** A forward with the default idle timeout and retries, no mirror. */
    public Forward(
        String route,
        ClusterRuntime cluster,
        String pathAndQuery,
        HeaderRewrite requestHeaders,
        HeaderRewrite responseHeaders,
        long timeoutMillis) {
      this(route, cluster, pathAndQuery, requestHeaders, responseHeaders, timeoutMillis, 0, null,
          null);
    }

    /** The same decision with other response header changes. */
    public Forward withResponseHeaders(HeaderRewrite headers) {
      return new Forward(route, cluster, pathAndQuery, requestHeaders, headers, timeoutMillis,
          idleTimeoutMillis, retries, mirror);
    }
  }

  /**
   * Where copies of a route's requests go.
   *
   * @param cluster the shadow cluster
   * @param percent share of requests mirrored, 1..100
   */
  record MirrorTarget(ClusterRuntime cluster, int percent) {}

  /** Answer with a redirect to {@code location}. */
  record Redirect(String route, int status, String location, HeaderRewrite responseHeaders)
      implements RouteDecision {}

  /** Answer directly. */
  record Direct(String route, int status, String body, HeaderRewrite responseHeaders)
      implements RouteDecision {}

  /**
   * Answer from a static site: {@code site.respond(ctx)} gives the local response.
   *
   * @param route the name of the route that matched
   * @param site the route's files, built once per snapshot
   * @param responseHeaders changes to make to the response
   */
  record Static(String route, io.portcullis.dataplane.filters.staticcontent.StaticSite site,
      HeaderRewrite responseHeaders) implements RouteDecision {}
}
