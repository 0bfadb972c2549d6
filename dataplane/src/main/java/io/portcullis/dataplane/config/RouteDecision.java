package io.portcullis.dataplane.config;

import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.snapshot.RetryPolicy;

/**
 * What the router decided for one request: the filter chain to run, then the terminal step (send
 * it upstream, or answer it). Header changes, TLS rules, CORS and every other feature are filters
 * in the chain, not fields here.
 */
public sealed interface RouteDecision {

  /** The route's name (the metrics label), {@code none} when nothing matched. */
  String route();

  /** The filters the request passes before the terminal step (never null). */
  FilterChain filters();

  /** No route of the request's virtual host matched and there is no default backend: 404. */
  record NotFound(FilterChain filters) implements RouteDecision {
    public NotFound {
      filters = filters == null ? FilterChain.EMPTY : filters;
    }

    public NotFound() {
      this(FilterChain.EMPTY);
    }

    @Override
    public String route() {
      return "none";
    }
  }

  /**
   * Send the request to {@code cluster}.
   *
   * @param route the name of the route that matched (metrics label), or {@code default-backend}
   * @param cluster the cluster picked by weight among the route's backends
   * @param pathAndQuery the request target to send upstream (after any prefix rewrite)
   * @param timeoutMillis time for the whole exchange, retries included; 0 means the dataplane's
   *     response timeout, which then bounds only the wait for the response head
   * @param idleTimeoutMillis the exchange fails when no byte moves either way this long; 0 means
   *     the dataplane default
   * @param retries when to try again (never null)
   * @param mirror the shadow cluster and share, or null
   * @param filters the route's filter chain
   */
  record Forward(
      String route,
      ClusterRuntime cluster,
      String pathAndQuery,
      long timeoutMillis,
      long idleTimeoutMillis,
      RetryPolicy retries,
      MirrorTarget mirror,
      FilterChain filters)
      implements RouteDecision {
    public Forward {
      retries = retries == null ? RetryPolicy.DEFAULT : retries;
      filters = filters == null ? FilterChain.EMPTY : filters;
    }

    /** A forward with the default idle timeout and retries, no mirror and no filters. */
    public Forward(String route, ClusterRuntime cluster, String pathAndQuery, long timeoutMillis) {
      this(route, cluster, pathAndQuery, timeoutMillis, 0, null, null, FilterChain.EMPTY);
    }

    /** The same decision with {@code filters}. */
    public Forward withFilters(FilterChain filters) {
      return new Forward(route, cluster, pathAndQuery, timeoutMillis, idleTimeoutMillis, retries,
          mirror, filters);
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
  record Redirect(String route, int status, String location, FilterChain filters)
      implements RouteDecision {
    public Redirect {
      filters = filters == null ? FilterChain.EMPTY : filters;
    }
  }

  /** Answer directly. */
  record Direct(String route, int status, String body, FilterChain filters)
      implements RouteDecision {
    public Direct {
      filters = filters == null ? FilterChain.EMPTY : filters;
    }
  }
}
