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
  private final Endpoint endpoint;
  private final long addedAtNanos;
  private volatile boolean terminating;
  /** Set by the active health checker; true until a check says otherwise. */
  private volatile boolean activeHealthy = true;
  /** Set by outlier detection: System.nanoTime() until which the endpoint takes no requests. */
  private volatile long ejectedUntilNanos;
  private final AtomicInteger ejections = new AtomicInteger();
  private final AtomicInteger activeRequests = new AtomicInteger();
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();

  public UpstreamEndpoint(Endpoint endpoint, long addedAtNanos) {
    this.endpoint = endpoint;
    this.addedAtNanos = addedAtNanos;
    this.terminating = endpoint.terminating();
  }

  public Endpoint endpoint() {
    return endpoint;
  }

  /** When the endpoint joined its cluster (slow start counts from here). */
  public long addedAtNanos() {
    return addedAtNanos;
  }

  public boolean terminating() {
    return terminating;
  }

  public void terminating(boolean value) {
    terminating = value;
  }

  public boolean activeHealthy() {
    return activeHealthy;
  }

  public void activeHealthy(boolean value) {
    activeHealthy = value;
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
  }

  public void uneject() {
    ejectedUntilNanos = 0;
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
