package io.portcullis.operator.compile;

import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.FilterConfig;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.util.ArrayList;
import java.util.List;

/**
 * Shares every rate limit of a snapshot among the dataplanes that enforce it: each limit carries
 * the number of dataplanes, and each dataplane enforces its part (see {@link RateLimitPolicy}).
 * Applied after the compile, because the count is not cluster state: a snapshot without rate
 * limits comes back as it is, so its version never depends on how many dataplanes there are.
 */
public final class RateLimitShares {
  private RateLimitShares() {}

  /** True when some host or route of {@code snapshot} has a rate limit. */
  public static boolean used(Snapshot snapshot) {
    for (VirtualHost v : snapshot.virtualHosts()) {
      if (has(v.filters())) {
        return true;
      }
      for (Route r : v.routes()) {
        if (has(r.filters())) {
          return true;
        }
      }
    }
    return false;
  }

  /** {@code snapshot} with every rate limit shared by {@code dataplanes} (itself when nothing changes). */
  public static Snapshot divide(Snapshot snapshot, int dataplanes) {
    if (!used(snapshot)) {
      return snapshot;
    }
    boolean changed = false;
    List<VirtualHost> hosts = new ArrayList<>(snapshot.virtualHosts().size());
    for (VirtualHost v : snapshot.virtualHosts()) {
      List<Route> routes = new ArrayList<>(v.routes().size());
      for (Route r : v.routes()) {
        List<FilterConfig> filters = shared(r.filters(), dataplanes);
        routes.add(filters == r.filters() ? r : r.withFilters(filters));
      }
      List<FilterConfig> filters = shared(v.filters(), dataplanes);
      VirtualHost host = new VirtualHost(v.host(), routes, v.tls(), filters);
      // Keep the old instance when equal: the version is hashed per part instance.
      boolean same = host.equals(v);
      changed |= !same;
      hosts.add(same ? v : host);
    }
    return changed ? snapshot.withVirtualHosts(hosts) : snapshot;
  }

  private static boolean has(List<FilterConfig> filters) {
    for (FilterConfig f : filters) {
      if (f instanceof RateLimitPolicy) {
        return true;
      }
    }
    return false;
  }

  private static List<FilterConfig> shared(List<FilterConfig> filters, int dataplanes) {
    if (!has(filters)) {
      return filters;
    }
    List<FilterConfig> out = new ArrayList<>(filters.size());
    for (FilterConfig f : filters) {
      out.add(f instanceof RateLimitPolicy limit ? limit.withDataplanes(dataplanes) : f);
    }
    return out;
  }
}
