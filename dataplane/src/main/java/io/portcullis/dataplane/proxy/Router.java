package io.portcullis.dataplane.proxy;

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
   * The production router: reads {@link LiveConfig#current()} once per request, so a request keeps
   * the config it started with even when a newer one is swapped in meanwhile.
   */
  static Router of(LiveConfig config) {
    return head -> {
      RuntimeConfig current = config.current();
      return current == null ? NOT_READY : current.route(head);
    };
  }
}
