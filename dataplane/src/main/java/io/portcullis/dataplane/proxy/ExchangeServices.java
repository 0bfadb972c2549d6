package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.resilience.ResilienceMetrics;

/**
 * What every exchange of a listener shares: settings, metrics, backend connections, the scheme
 * its clients use, and the router (which also finds clusters by name for filters' own requests).
 */
record ExchangeServices(
    ProxySettings settings, ProxyMetrics metrics, Upstreams upstreams, String scheme,
    Router router) {

  ExchangeServices(ProxySettings settings, ProxyMetrics metrics, Upstreams upstreams, String scheme) {
    this(settings, metrics, upstreams, scheme, head -> Router.NOT_READY);
  }

  /** The cluster of the current config named {@code name}, or null. */
  ClusterRuntime cluster(String name) {
    return router.cluster(name);
  }

  ResilienceMetrics resilience() {
    return metrics.resilience();
  }
}
