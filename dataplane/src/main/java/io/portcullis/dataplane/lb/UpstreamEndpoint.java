package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.Endpoint;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One endpoint of a cluster as the proxy tracks it. It lives as long as the endpoint stays in its
 * cluster, across config versions, so health, ejections and counters survive endpoint churn of
 * its neighbours. Thread-safe: event loops, the health checker and the admin server all touch it.
 */
public final class UpstreamEndpoint {
  /** The weight of an endpoint that is not (or no longer) ramping up. */
  public static final int FULL_WEIGHT = 100;
  /** Where a slow-start ramp begins: a new endpoint gets a tenth of a full share at first. */
  public static final int INITIAL_SLOW_START_WEIGHT = 10;

  private final Endpoint endpoint;
  private final String id;
  private final long addedAtNanos;
  private final long slowStartNanos;
  private volatile boolean terminating;
  /** Set by the active health checker; true until a check says otherwise. */
  private volatile boolean activeHealthy = true;
  /** Set by outlier detection: System.nanoTime() until which the endpoint takes no requests. */
  private volatile long ejectedUntilNanos;
  private final AtomicInteger ejections = new AtomicInteger();
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  /** Told when anything that decides {@link #available} changes (the cluster caches candidates). */
  private volatile Runnable availabilityListener;

  public UpstreamEndpoint(Endpoint endpoint, long addedAtNanos) {
    this(endpoint, addedAtNanos, 0);
  }

  /**
   * @param slowStartNanos the endpoint's weight ramps from {@link #INITIAL_SLOW_START_WEIGHT} to
   *     {@link #FULL_WEIGHT} over this long after {@code addedAtNanos}; 0 means full at once
   */
  public UpstreamEndpoint(Endpoint endpoint, long addedAtNanos, long slowStartNanos) {
    if (slowStartNanos < 0) {
      throw new IllegalArgumentException("slow start must not be negative: " + slowStartNanos);
    }
    this.endpoint = endpoint;
    this.id = opaqueId(endpoint);
    this.addedAtNanos = addedAtNanos;
    this.slowStartNanos = slowStartNanos;
    this.terminating = endpoint.terminating();
  }

  /**
   * A short stable id for address:port that does not show the address (affinity cookies carry it
   * to clients): 12 hex digits of a 64-bit hash.
   */
  static String opaqueId(Endpoint endpoint) {
    long h = Hashing.hash64(endpoint.address() + ":" + endpoint.port(), 0x5eed_c00c1eL);
    return String.format("%012x", h >>> 16);
  }

  /** The opaque id of this endpoint (affinity cookie value, admin output). */
  public String id() {
    return id;
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** When the endpoint joined its cluster (slow start counts from here). */
  public long addedAtNanos() {
    return addedAtNanos;
  }

  /**
   * The endpoint's balancing weight at {@code nowNanos}: {@link #FULL_WEIGHT}, or during slow
   * start a share growing linearly from {@link #INITIAL_SLOW_START_WEIGHT}.
   */
  public int weight(long nowNanos) {
    if (slowStartNanos == 0) {
      return FULL_WEIGHT;
    }
    long age = nowNanos - addedAtNanos;
    if (age >= slowStartNanos) {
      return FULL_WEIGHT;
    }
    if (age <= 0) {
      return INITIAL_SLOW_START_WEIGHT;
    }
    double share = (double) age / slowStartNanos;
    return INITIAL_SLOW_START_WEIGHT
        + (int) ((FULL_WEIGHT - INITIAL_SLOW_START_WEIGHT) * share);
  }

  /** When the slow-start ramp ends (equals {@link #addedAtNanos} without one). */
  public long slowStartEndsNanos() {
    return addedAtNanos + slowStartNanos;
  }

  public boolean terminating() {
    return terminating;
  }

  public void terminating(boolean value) {
    if (terminating != value) {
      terminating = value;
      availabilityChanged();
    }
  }

  public boolean activeHealthy() {
    return activeHealthy;
  }

  public void activeHealthy(boolean value) {
    if (activeHealthy != value) {
      activeHealthy = value;
      availabilityChanged();
    }
  }

  public boolean ejected(long nowNanos) {
    return ejectedUntilNanos - nowNanos > 0;
  }

  /** The System.nanoTime() at which the current or last ejection ends (0 if never ejected). */
  public long ejectedUntilNanos() {
    return ejectedUntilNanos;
  }

  /** Ejects until {@code untilNanos}; counts the ejection. */
  public void eject(long untilNanos) {
    ejectedUntilNanos = untilNanos;
    ejections.incrementAndGet();
    availabilityChanged();
  }

  public void uneject() {
    ejectedUntilNanos = 0;
    availabilityChanged();
  }

  /**
   * Registers the one listener told when terminating, health or ejection change; the owning
   * cluster uses it to recompute its candidates only then, not on every pick.
   */
  public void onAvailabilityChange(Runnable listener) {
    this.availabilityListener = listener;
  }

  private void availabilityChanged() {
    Runnable l = availabilityListener;
    if (l != null) {
      l.run();
    }
  }

  public int ejections() {
    return ejections.get();
  }

  /** Takes new requests: healthy by every check, not ejected, not terminating. */
  public boolean available(long nowNanos) {
    return !terminating && activeHealthy && !ejected(nowNanos);
  }

  public int activeRequests() {
    return activeRequests.get();
  }

  /** Call when a request is sent to this endpoint; pair with {@link #requestFinished}. */
  public void requestStarted() {
    activeRequests.incrementAndGet();
    requests.incrementAndGet();
  }

  public void requestFinished(boolean failed) {
    activeRequests.decrementAndGet();
    if (failed) {
      failures.incrementAndGet();
    }
  }

  public long requests() {
    return requests.get();
  }

  public long failures() {
    return failures.get();
  }

  @Override
  public String toString() {
    return endpoint.toString();
  }
}
