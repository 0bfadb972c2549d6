package io.portcullis.dataplane.proxy;

import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.resilience.ResilienceMetrics;

/**
 * What every exchange of a listener shares: settings, metrics, backend connections, the scheme
 * its clients use.
 */
record ExchangeServices(
    ProxySettings settings, ProxyMetrics metrics, Upstreams upstreams, String scheme) {

  ResilienceMetrics resilience() {
    return metrics.resilience();
  }
}
