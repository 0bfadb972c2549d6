package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.config.RuntimeConfig;

/** Decides what to do with one request. The proxy calls it exactly once per request. */
@FunctionalInterface
public interface Router {

  /** Answered while no snapshot has been applied yet. */
  RouteDecision NOT_READY =
      new RouteDecision.Direct("none", 503, "no configuration applied yet\n", null);

  RouteDecision route(RequestHead head);

  /**
   * The cluster named {@code name} in the current config, or null: for requests filters send on
   * their own to a cluster other than the route's (error pages).
   */
  default ClusterRuntime cluster(String name) {
    return null;
  }

  /**
   * The production router: reads {@link LiveConfig#current()} once per request, so a request keeps
   * the config it started with even when a newer one is swapped in meanwhile.
   */
  static Router of(LiveConfig config) {
    return new Router() {
      @Override
      public RouteDecision route(RequestHead head) {
        RuntimeConfig current = config.current();
        return current == null ? NOT_READY : current.route(head);
      }

      @Override
      public ClusterRuntime cluster(String name) {
        RuntimeConfig current = config.current();
        return current == null ? null : current.cluster(name);
      }
    };
  }
}
