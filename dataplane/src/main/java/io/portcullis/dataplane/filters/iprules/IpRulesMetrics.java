package io.portcullis.dataplane.filters.iprules;

import io.prometheus.metrics.core.datapoints.CounterDataPoint;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Requests refused by IP rules, by route and by the list that refused them: {@code deny} (the
 * client is in the deny list), {@code allow} (an allow list exists and the client is not in it),
 * {@code global} (the dataplane's {@code --ip-deny}; route {@code none} when no route matched).
 * One instance per process, shared by every snapshot's filters, so counts survive swaps.
 */
public final class IpRulesMetrics {
  private static final IpRulesMetrics SHARED = new IpRulesMetrics();

  private final Counter denied;
  private final ConcurrentMap<String, CounterDataPoint> points = new ConcurrentHashMap<>();

  /** Metrics not yet shown anywhere: see {@link #registerIn}. */
  public IpRulesMetrics() {
    denied = Counter.builder()
        .name("portcullis_ip_rules_denied")
        .help("Requests refused (403) by IP allow and deny lists, by route and by the list that"
            + " refused them (deny: the client is listed; allow: an allow list does not list it;"
            + " global: the dataplane's --ip-deny)")
        .labelNames("route", "list")
        .build();
  }

  /** The process's metrics, which every IP rules filter counts into. */
  public static IpRulesMetrics shared() {
    return SHARED;
  }

  /** Shows these metrics in {@code registry} (a dataplane's admin registry). */
  public void registerIn(PrometheusRegistry registry) {
    registry.register(denied);
  }

  void denied(String route, String list) {
    points.computeIfAbsent(route + '\0' + list, k -> denied.labelValues(route, list)).inc();
  }

  /** The count so far (tests). */
  public long count(String route, String list) {
    return (long) denied.labelValues(route, list).get();
  }
}
