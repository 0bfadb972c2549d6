package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.health.Failure;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.lb.PickContext;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.resilience.RetryDecision;
import io.portcullis.snapshot.Endpoint;
import java.util.HashSet;
import java.util.Set;

/**
 * The tries of one forwarded request: which endpoint each went to, and what each told the
 * endpoint's bookkeeping. A try counts one active request on its endpoint from the pick to its
 * end, and its outcome feeds outlier detection; a try abandoned for reasons that say nothing about
 * the endpoint (the client went away, a circuit breaker refused) counts for nothing. Endpoints
 * already tried are avoided by later picks.
 */
final class Attempts {
  private final ClusterRuntime cluster;
  private UpstreamEndpoint current;
  private boolean open;
  private int id;
  private Set<UpstreamEndpoint> tried;
  private Endpoint endpoint;
  /** A Set-Cookie the balancer asked for (cookie affinity), added to the response head. */
  private String affinityCookie;

  Attempts(ClusterRuntime cluster) {
    this.cluster = cluster;
  }

  /** Picks an endpoint for a new try; false when the cluster has none to offer. */
  boolean next(RequestHead head, String clientAddress) {
    if (current != null && !open) { // an earlier try: later picks avoid its endpoint
      if (tried == null) {
        tried = new HashSet<>(4);
      }
      tried.add(current);
    }
    PickContext pick = new PickContext(head, clientAddress, tried == null ? Set.of() : tried);
    UpstreamEndpoint picked = cluster.pick(pick);
    if (picked == null) {
      return false;
    }
    affinityCookie = cluster.affinityCookie(pick, picked);
    current = picked;
    endpoint = picked.endpoint();
    picked.requestStarted();
    open = true;
    id++;
    return true;
  }

  /** The current try's number: a late callback of an earlier try sees another number. */
  int id() {
    return id;
  }

  /** The endpoint of the current (or last) try, or null before the first. */
  Endpoint endpoint() {
    return endpoint;
  }

  String affinityCookie() {
    return affinityCookie;
  }

  /**
   * The current try's endpoint is done with this request: {@code failure} null is a success. Once
   * per try.
   */
  void end(Failure failure) {
    if (close()) {
      current.requestFinished(failure != null);
      if (failure == null) {
        cluster.outliers().reportSuccess(current);
      } else {
        cluster.outliers().reportFailure(current, failure);
      }
    }
  }

  /** The try ended for a reason that says nothing about the endpoint. */
  void abandon() {
    if (close()) {
      current.requestFinished(false);
    }
  }

  private boolean close() {
    if (!open) {
      return false;
    }
    open = false;
    return true;
  }

  /** What a failed try tells outlier detection about its endpoint. */
  static Failure failureOf(RetryDecision.Condition condition) {
    return switch (condition) {
      case CONNECT_FAILURE -> Failure.CONNECT_FAILURE;
      case TIMEOUT -> Failure.TIMEOUT;
      case RESET -> Failure.RESET;
      case STATUS_502 -> Failure.http(502);
      case STATUS_503 -> Failure.http(503);
      case STATUS_504 -> Failure.http(504);
    };
  }
}
