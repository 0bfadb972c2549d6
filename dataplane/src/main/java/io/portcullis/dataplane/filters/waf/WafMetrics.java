package io.portcullis.dataplane.filters.waf;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.portcullis.waf.model.RuleMatch;
import io.portcullis.waf.model.WafVerdict;

/**
 * What the WAF did: requests inspected and condemned by route, the rules behind blocks and
 * detections (rule ids are a bounded set, a few hundred), and the time spent inspecting.
 */
public final class WafMetrics {
  private final Counter requests;
  private final Counter ruleMatches;
  private final Histogram seconds;

  public WafMetrics(PrometheusRegistry registry) {
    requests = Counter.builder()
        .name("portcullis_waf_requests")
        .help("Requests the WAF inspected, by route and action (allowed, blocked, detected: condemned"
            + " but let through in detect mode, flagged: rules matched below the threshold)")
        .labelNames("route", "action")
        .register(registry);
    ruleMatches = Counter.builder()
        .name("portcullis_waf_rule_matches")
        .help("Rule matches in requests the WAF blocked or detected, by route and rule id")
        .labelNames("route", "rule")
        .register(registry);
    seconds = Histogram.builder()
        .name("portcullis_waf_inspection_seconds")
        .help("WAF time per inspected request (rules over headers and the buffered body)")
        .classicOnly()
        .classicUpperBounds(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1)
        .register(registry);
  }

  void inspected(String route, String action, WafVerdict verdict, long nanos) {
    requests.labelValues(route, action).inc();
    seconds.observe(nanos / 1e9);
    if (action.equals("blocked") || action.equals("detected")) {
      for (RuleMatch m : verdict.matches()) {
        ruleMatches.labelValues(route, Integer.toString(m.ruleId())).inc();
      }
    }
  }
}
