package io.portcullis.dataplane.health;

import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.snapshot.ClusterPolicy.OutlierDetection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Passive outlier detection for one cluster (Envoy's consecutive-5xx and
 * consecutive-gateway-failure detectors). The proxy reports the outcome of every request it sent
 * to an endpoint; an endpoint that fails often enough in a row is ejected: it takes no new requests
 * for {@code baseEjectionMillis} times its ejection multiplier, capped at {@code
 * maxEjectionMillis}. It comes back by itself when that time has passed (checked lazily by
 * {@link UpstreamEndpoint#available}); no timer runs. The multiplier grows by one with each
 * ejection and, as in Envoy, shrinks by one for every {@code baseEjectionMillis} the endpoint
 * spends back in service, so an endpoint that failed once an hour ago starts over at the base.
 *
 * <h2>API for the proxy</h2>
 *
 * Call exactly one of these per request sent to an endpoint (per try, when retrying), from any
 * thread, once the outcome is known:
 *
 * <ul>
 *   <li>{@link #reportSuccess} — a response with a status below 500 arrived and was read to its
 *       end (or the connection switched protocols). Resets the endpoint's failure streaks.
 *   <li>{@link #reportFailure}{@code (endpoint, Failure.CONNECT_FAILURE)} — the connection could
 *       not be opened; {@code Failure.RESET} — the endpoint closed or reset the connection or sent
 *       garbage before the response ended (also after a 2xx head, mid-body);
 *       {@code Failure.TIMEOUT} — no response head in time; {@code Failure.http(status)} — a 5xx
 *       response.
 *   <li>{@link #reportResponse}{@code (endpoint, status)} — shorthand: success below 500, else
 *       {@code Failure.http(status)}.
 * </ul>
 *
 * Requests the client abandoned say nothing about the endpoint: report nothing for them.
 *
 * <h2>Rules</h2>
 *
 * <ul>
 *   <li>Every failure counts toward {@code consecutive5xx} (connection-level failures are what
 *       Envoy maps to 503). Gateway failures (connect failure, reset, timeout, 502, 503, 504) also
 *       count toward {@code consecutiveGatewayFailures}; a 500 breaks that streak. A threshold of
 *       0 disables its detector.
 *   <li>An ejection is refused when it would make more than {@code maxEjectionPercent} of the
 *       cluster's endpoints ejected at once (Envoy's rule: {@code (ejected + 1) / total <= max}),
 *       so with the default 50% a one-endpoint cluster is never ejected. An endpoint refused
 *       ejection keeps its streak and is ejected by its next failure once there is room.
 *   <li>Ejection resets the endpoint's streaks, so after its time it needs a full new streak to
 *       be ejected again (for longer).
 *   <li>When every endpoint is ejected or unhealthy, {@code ClusterRuntime.pick} falls back to all
 *       of them (panic mode): ejection never takes a cluster dark.
 * </ul>
 *
 * Streak counters are per endpoint object, which lives as long as the endpoint stays in the
 * cluster; {@link #retain} forgets endpoints that left.
 */
public final class OutlierDetector {
  private final OutlierDetection policy;
  private final Supplier<List<UpstreamEndpoint>> endpoints;
  private final LongSupplier nanoClock;
  private final Map<UpstreamEndpoint, Streaks> streaks = new ConcurrentHashMap<>();
  private final LongAdder requests = new LongAdder();
  private final LongAdder failures = new LongAdder();

  /**
   * @param endpoints the cluster's current endpoints (the ejection cap is a share of them)
   */
  public OutlierDetector(OutlierDetection policy, Supplier<List<UpstreamEndpoint>> endpoints) {
    this(policy, endpoints, System::nanoTime);
  }

  /** With a clock, for tests. */
  public OutlierDetector(
      OutlierDetection policy, Supplier<List<UpstreamEndpoint>> endpoints, LongSupplier nanoClock) {
    this.policy = policy;
    this.endpoints = endpoints;
    this.nanoClock = nanoClock;
  }

  public OutlierDetection policy() {
    return policy;
  }

  /** The endpoint answered below 500 (or switched protocols). */
  public void reportSuccess(UpstreamEndpoint endpoint) {
    requests.increment();
    Streaks s = streaks.get(endpoint);
    if (s != null) {
      s.reset();
    }
  }

  /** The endpoint answered {@code status}: success below 500, else {@code Failure.http(status)}. */
  public void reportResponse(UpstreamEndpoint endpoint, int status) {
    if (status >= 500 && status <= 599) {
      reportFailure(endpoint, Failure.http(status));
    } else {
      reportSuccess(endpoint);
    }
  }

  /** The request to {@code endpoint} failed; may eject it. */
  public void reportFailure(UpstreamEndpoint endpoint, Failure failure) {
    requests.increment();
    failures.increment();
    Streaks s = streaks.computeIfAbsent(endpoint, e -> new Streaks());
    boolean trip;
    synchronized (s) {
      s.consecutive5xx++;
      if (failure.isGatewayFailure()) {
        s.consecutiveGateway++;
      } else {
        s.consecutiveGateway = 0;
      }
      trip =
          (policy.consecutive5xx() > 0 && s.consecutive5xx >= policy.consecutive5xx())
              || (policy.consecutiveGatewayFailures() > 0
                  && s.consecutiveGateway >= policy.consecutiveGatewayFailures());
    }
    if (trip) {
      tryEject(endpoint, s);
    }
  }

  /** Ejects under the cluster-wide cap; one ejection decision at a time per cluster. */
  private synchronized void tryEject(UpstreamEndpoint endpoint, Streaks s) {
    long now = nanoClock.getAsLong();
    if (endpoint.ejected(now)) {
      return; // a request that was already in flight when it was ejected
    }
    List<UpstreamEndpoint> all = endpoints.get();
    int ejected = 0;
    for (UpstreamEndpoint e : all) {
      if (e.ejected(now)) {
        ejected++;
      }
    }
    if ((long) (ejected + 1) * 100 > (long) policy.maxEjectionPercent() * all.size()) {
      return;
    }
    long baseNanos = TimeUnit.MILLISECONDS.toNanos(policy.baseEjectionMillis());
    synchronized (s) {
      if (s.multiplier > 0) {
        // Ejections are at least one base long, so the previous one has ended by now.
        long servedNanos = now - endpoint.ejectedUntilNanos();
        s.multiplier = (int) Math.max(0, s.multiplier - Math.max(0, servedNanos) / baseNanos);
      }
      s.multiplier++;
    }
    long millis = Math.min(policy.maxEjectionMillis(), policy.baseEjectionMillis() * s.multiplier);
    endpoint.eject(now + TimeUnit.MILLISECONDS.toNanos(millis));
    s.reset();
  }

  /** Forgets streaks of endpoints that are no longer in the cluster. */
  public void retain(List<UpstreamEndpoint> current) {
    if (streaks.isEmpty()) {
      return;
    }
    var keep = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<UpstreamEndpoint, Boolean>());
    keep.addAll(current);
    streaks.keySet().removeIf(e -> !keep.contains(e));
  }

  /** Requests reported for this cluster, successes and failures. */
  public long requests() {
    return requests.sum();
  }

  /** Failed requests reported for this cluster. */
  public long failures() {
    return failures.sum();
  }

  /** The endpoint's current run of failures (any kind), for diagnostics. */
  public int consecutiveFailures(UpstreamEndpoint endpoint) {
    Streaks s = streaks.get(endpoint);
    if (s == null) {
      return 0;
    }
    synchronized (s) {
      return s.consecutive5xx;
    }
  }

  private static final class Streaks {
    int consecutive5xx;
    int consecutiveGateway;
    /** Ejection time in units of the base; kept across resets. */
    int multiplier;

    synchronized void reset() {
      consecutive5xx = 0;
      consecutiveGateway = 0;
    }
  }
}
