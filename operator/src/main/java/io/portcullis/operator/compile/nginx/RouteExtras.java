package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.RetryPolicy;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.List;

/**
 * What the annotations of one Ingress change on each of its routes, beyond what our own
 * {@code portcullis.io/*} annotations already express.
 *
 * @param rewriteTarget ingress-nginx's rewrite-target, or null (see {@link RewriteTarget})
 * @param redirect every path answers this redirect instead of proxying, or null
 * @param appRoot {@code /} answers 302 to this path, or null
 * @param requestHeaders set on requests to the backend
 * @param idleTimeoutMillis 0 for the default
 * @param retries null for the default
 * @param loadBalancer null for the default (or what {@code portcullis.io/load-balancer} says)
 * @param filters request-path filters with no annotation of ours to carry them; a kind the
 *     Ingress's own annotations configure is not replaced
 */
public record RouteExtras(
    String rewriteTarget,
    RouteAction.Redirect redirect,
    String appRoot,
    HeaderRewrite requestHeaders,
    long idleTimeoutMillis,
    RetryPolicy retries,
    ClusterPolicy.LoadBalancer loadBalancer,
    List<FilterConfig> filters) {
  public static final RouteExtras NONE =
      new RouteExtras(null, null, null, HeaderRewrite.NONE, 0, null, null, List.of());

  public RouteExtras {
    requestHeaders = requestHeaders == null ? HeaderRewrite.NONE : requestHeaders;
    filters = filters == null ? List.of() : List.copyOf(filters);
  }
}
