package io.portcullis.dataplane.config;

import io.portcullis.dataplane.lb.Balancer;
import io.portcullis.dataplane.lb.PickContext;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A cluster as the proxy uses it: its endpoints with their live state, and the balancer that picks
 * among them. One instance per cluster name and policy; it outlives config versions, and an
 * endpoint-only change updates it in place ({@link #updateEndpoints}), so surviving endpoints keep
 * their health, ejections and counters and the routing index is not rebuilt.
 */
public final class ClusterRuntime {
  private final String name;
  private final ClusterPolicy policy;
  private final Balancer balancer;
  private final ClusterLimits limits;
  private volatile Cluster cluster;
  private volatile List<UpstreamEndpoint> endpoints;

  public ClusterRuntime(Cluster cluster) {
    this.name = cluster.name();
    this.policy = cluster.policyOrDefault();
    this.balancer = Balancer.of(policy.loadBalancerOrDefault());
    this.limits = new ClusterLimits(policy.circuitBreakersOrDefault());
    this.cluster = cluster;
    this.endpoints = track(cluster.endpoints(), Map.of());
    balancer.endpointsChanged(endpoints);
  }

  public String name() {
    return name;
  }

  public ClusterPolicy policy() {
    return policy;
  }

  /** The circuit breakers' counters; they live as long as this instance (endpoint changes keep them). */
  public ClusterLimits limits() {
    return limits;
  }

  public Cluster cluster() {
    return cluster;
  }

  /** The current endpoints with their state, in the snapshot's order. */
  public List<UpstreamEndpoint> endpoints() {
    return endpoints;
  }

  /** Whether {@code next} differs from this cluster in its endpoints only. */
  public boolean canUpdateInPlace(Cluster next) {
    return next.name().equals(name) && next.policyOrDefault().equals(policy);
  }

  /**
   * Takes the endpoints of {@code next} (same name and policy): endpoints that stay keep their
   * state; a pending request to a removed endpoint finishes on the connection it has.
   */
  public synchronized void updateEndpoints(Cluster next) {
    if (!canUpdateInPlace(next)) {
      throw new IllegalArgumentException("not an endpoint-only change of " + name);
    }
    if (next.equals(cluster)) {
      return;
    }
    Map<Endpoint, UpstreamEndpoint> old = new HashMap<>();
    for (UpstreamEndpoint e : endpoints) {
      old.put(key(e.endpoint()), e);
    }
    List<UpstreamEndpoint> updated = track(next.endpoints(), old);
    balancer.endpointsChanged(updated);
    this.endpoints = updated;
    this.cluster = next;
  }

  private static List<UpstreamEndpoint> track(
      List<Endpoint> wanted, Map<Endpoint, UpstreamEndpoint> existing) {
    long now = System.nanoTime();
    List<UpstreamEndpoint> result = new ArrayList<>(wanted.size());
    for (Endpoint e : wanted) {
      UpstreamEndpoint kept = existing.get(key(e));
      if (kept == null) {
        kept = new UpstreamEndpoint(e, now);
      }
      kept.terminating(e.terminating());
      result.add(kept);
    }
    return List.copyOf(result);
  }

  /** Identity of an endpoint regardless of its terminating flag. */
  private static Endpoint key(Endpoint e) {
    return e.terminating() ? new Endpoint(e.address(), e.port()) : e;
  }

  /**
   * Picks an endpoint for a new request, or null when the cluster has none (503). Candidates are
   * the available endpoints not yet tried by the request; when too few endpoints are available
   * (panic mode) every non-terminating one is a candidate; terminating endpoints are the last
   * resort.
   */
  public UpstreamEndpoint pick(PickContext context) {
    List<UpstreamEndpoint> all = endpoints;
    if (all.isEmpty()) {
      return null;
    }
    long now = System.nanoTime();
    List<UpstreamEndpoint> available = new ArrayList<>(all.size());
    int live = 0;
    for (UpstreamEndpoint e : all) {
      if (!e.terminating()) {
        live++;
        if (e.available(now)) {
          available.add(e);
        }
      }
    }
    List<UpstreamEndpoint> candidates;
    int panic = policy.panicThresholdPercentOrDefault();
    if (live > 0 && (available.isEmpty() || (long) available.size() * 100 < (long) live * panic)) {
      candidates = all.stream().filter(e -> !e.terminating()).toList();
    } else if (available.isEmpty()) {
      candidates = all;
    } else {
      candidates = available;
    }
    if (!context.tried().isEmpty()) {
      List<UpstreamEndpoint> untried =
          candidates.stream().filter(e -> !context.tried().contains(e)).toList();
      if (!untried.isEmpty()) {
        candidates = untried;
      }
    }
    return balancer.pick(all, candidates, context);
  }

  /** {@link #pick(PickContext)} without request details. */
  public UpstreamEndpoint pick() {
    return pick(PickContext.NONE);
  }
}
