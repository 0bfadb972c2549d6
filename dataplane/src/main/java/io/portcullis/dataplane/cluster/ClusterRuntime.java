package io.portcullis.dataplane.cluster;

import io.portcullis.dataplane.health.CheckedCluster;
import io.portcullis.dataplane.health.OutlierDetector;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;

/**
 * A cluster as the proxy uses it: its endpoints with their live state, and the balancer that picks
 * among them. One instance per cluster name and policy; it outlives config versions, and an
 * endpoint-only change updates it in place ({@link #updateEndpoints}), so surviving endpoints keep
 * their health, ejections and counters and the routing index is not rebuilt.
 */
public final class ClusterRuntime implements CheckedCluster {
  private final String name;
  private final ClusterPolicy policy;
  private final Balancer balancer;
  private final LongSupplier nanoClock;
  private final OutlierDetector outliers;
  private final ClusterLimits limits;
  private volatile Cluster cluster;
  private volatile List<UpstreamEndpoint> endpoints;
  /** Bumped whenever an endpoint's availability changes; the cached candidates name theirs. */
  private final AtomicLong availabilityGeneration = new AtomicLong();
  private final Runnable invalidate = availabilityGeneration::incrementAndGet;
  private volatile Candidates candidates;

  /**
   * The candidates for a request that tried nothing yet, valid while the endpoint list and the
   * availability generation are unchanged and (when an ejection is running) until it ends.
   */
  private record Candidates(
      List<UpstreamEndpoint> all,
      long generation,
      List<UpstreamEndpoint> list,
      boolean expires,
      long validUntilNanos) {}

  public ClusterRuntime(Cluster cluster) {
    this(cluster, System::nanoTime, ThreadLocalRandom::current);
  }

  /**
   * @param nanoClock {@link System#nanoTime()}, or a test clock (slow start, ejections)
   * @param random randomness for the calling thread; tests pass a seeded generator
   */
  public ClusterRuntime(
      Cluster cluster, LongSupplier nanoClock, Supplier<RandomGenerator> random) {
    this.name = cluster.name();
    this.policy = cluster.policyOrDefault();
    this.nanoClock = nanoClock;
    this.balancer = Balancer.of(policy.loadBalancerOrDefault(), nanoClock, random);
    this.limits = new ClusterLimits(policy.circuitBreakersOrDefault());
    this.cluster = cluster;
    // The first set of a new cluster takes full load at once: there is nobody to protect it from.
    this.endpoints =
        track(cluster.endpoints(), Map.of(), nanoClock.getAsLong(), 0, invalidate, startUnhealthy(policy));
    this.outliers = new OutlierDetector(policy.outlierDetectionOrDefault(), this::endpoints);
    balancer.endpointsChanged(endpoints);
  }

  /**
   * As in Envoy, an endpoint of a cluster with active health checks takes no traffic until its
   * first check passes; panic mode in {@link #pick} still serves a cluster whose endpoints are all
   * new.
   */
  private static boolean startUnhealthy(ClusterPolicy policy) {
    return policy.healthCheck() != null;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public ClusterPolicy policy() {
    return policy;
  }

  /** The balancing policy in use (admin output, metrics). */
  public ClusterPolicy.Policy balancingPolicy() {
    return balancer.policy();
  }

  /** The circuit breakers' counters; they live as long as this instance (endpoint changes keep them). */
  public ClusterLimits limits() {
    return limits;
  }

  public Cluster cluster() {
    return cluster;
  }

  /** Passive outlier detection: the proxy reports every request's outcome here. */
  public OutlierDetector outliers() {
    return outliers;
  }

  /** The current endpoints with their state, in the snapshot's order. */
  @Override
  public List<UpstreamEndpoint> endpoints() {
    return endpoints;
  }

  /** The balancing weight of {@code endpoint} now (below full while it ramps up in slow start). */
  public int weightNow(UpstreamEndpoint endpoint) {
    return endpoint.weight(nanoClock.getAsLong());
  }

  /** The clock this cluster reads (health and outlier code share it so tests can drive time). */
  public LongSupplier nanoClock() {
    return nanoClock;
  }

  /** Whether {@code next} differs from this cluster in its endpoints only. */
  public boolean canUpdateInPlace(Cluster next) {
    return next.name().equals(name) && next.policyOrDefault().equals(policy);
  }

  /**
   * Takes the endpoints of {@code next} (same name and policy): endpoints that stay keep their
   * state; a pending request to a removed endpoint finishes on the connection it has; endpoints
   * that join ramp up over the slow-start window.
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
      old.put(e.endpoint(), e);
    }
    List<UpstreamEndpoint> updated =
        track(
            next.endpoints(),
            old,
            nanoClock.getAsLong(),
            TimeUnit.MILLISECONDS.toNanos(policy.slowStartMillis()),
            invalidate,
            startUnhealthy(policy));
    balancer.endpointsChanged(updated);
    this.endpoints = updated;
    outliers.retain(updated);
    this.cluster = next;
  }

  private static List<UpstreamEndpoint> track(
      List<Endpoint> wanted,
      Map<Endpoint, UpstreamEndpoint> existing,
      long now,
      long slowStartNanos,
      Runnable onAvailabilityChange,
      boolean startUnhealthy) {
    List<UpstreamEndpoint> result = new ArrayList<>(wanted.size());
    for (Endpoint e : wanted) {
      Endpoint key = key(e);
      UpstreamEndpoint kept = existing.get(key);
      if (kept == null) {
        // Keyed without the terminating flag, so pooled connections and state follow the address
        // when the flag flips.
        kept = new UpstreamEndpoint(key, now, slowStartNanos);
        if (startUnhealthy) {
          kept.activeHealthy(false);
        }
      }
      kept.terminating(e.terminating());
      kept.onAvailabilityChange(onAvailabilityChange);
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
    long now = nanoClock.getAsLong();
    Candidates c = candidates;
    if (c == null
        || c.all() != all
        || c.generation() != availabilityGeneration.get()
        || (c.expires() && now - c.validUntilNanos() >= 0)) {
      // Only after a change: the steady state costs no scan of the endpoints per request.
      c = candidates(all, now);
      candidates = c;
    }
    List<UpstreamEndpoint> list = c.list();
    if (!context.tried().isEmpty()) {
      list = untried(list, context);
    }
    return balancer.pick(all, list, context);
  }

  private Candidates candidates(List<UpstreamEndpoint> all, long now) {
    long generation = availabilityGeneration.get();
    List<UpstreamEndpoint> live = new ArrayList<>(all.size());
    List<UpstreamEndpoint> available = new ArrayList<>(all.size());
    boolean expires = false;
    long validUntil = 0;
    for (UpstreamEndpoint e : all) {
      if (e.ejected(now) && (!expires || e.ejectedUntilNanos() - validUntil < 0)) {
        expires = true;
        validUntil = e.ejectedUntilNanos();
      }
      if (!e.terminating()) {
        live.add(e);
        if (e.available(now)) {
          available.add(e);
        }
      }
    }
    List<UpstreamEndpoint> list;
    int panic = policy.panicThresholdPercentOrDefault();
    if (!live.isEmpty()
        && (available.isEmpty() || (long) available.size() * 100 < (long) live.size() * panic)) {
      list = live;
    } else if (available.isEmpty()) {
      list = all;
    } else {
      list = available;
    }
    // Candidates are a subset of all: equal size means every endpoint, passed as the very list.
    list = list.size() == all.size() ? all : List.copyOf(list);
    return new Candidates(all, generation, list, expires, validUntil);
  }

  /** The candidates the request has not tried; all of them when it tried every one. */
  private static List<UpstreamEndpoint> untried(List<UpstreamEndpoint> list, PickContext context) {
    List<UpstreamEndpoint> untried = new ArrayList<>(list.size());
    for (UpstreamEndpoint e : list) {
      if (!context.tried().contains(e)) {
        untried.add(e);
      }
    }
    return untried.isEmpty() ? list : untried;
  }

  /** {@link #pick(PickContext)} without request details. */
  public UpstreamEndpoint pick() {
    return pick(PickContext.NONE);
  }

  /**
   * The {@code Set-Cookie} header value the response must carry after {@code picked} was chosen
   * for this request, or null (only cookie affinity issues one, when the request's cookie did not
   * already name {@code picked}).
   */
  public String affinityCookie(PickContext context, UpstreamEndpoint picked) {
    return picked == null ? null : balancer.affinityCookie(picked, context);
  }
}
