package io.portcullis.dataplane.resilience;

import io.portcullis.snapshot.ClusterPolicy.CircuitBreakers;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The circuit breakers of one cluster on this dataplane: counters of open connections, requests
 * waiting for a connection, requests and retries in flight, shared by every event loop. Each
 * {@code tryX} either takes a slot and returns true, or takes nothing and returns false; the
 * caller gives a taken slot back exactly once.
 */
public final class ClusterLimits {
  private final CircuitBreakers limits;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger pending = new AtomicInteger();
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger retries = new AtomicInteger();

  public ClusterLimits(CircuitBreakers limits) {
    this.limits = limits;
  }

  public CircuitBreakers config() {
    return limits;
  }

  public boolean tryOpenConnection() {
    return tryTake(connections, limits.maxConnections());
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  /** A request starts waiting for a new connection. */
  public boolean tryStartPending() {
    return tryTake(pending, limits.maxPendingRequests());
  }

  public void pendingEnded() {
    pending.decrementAndGet();
  }

  public boolean tryStartRequest() {
    return tryTake(requests, limits.maxRequests());
  }

  public void requestEnded() {
    requests.decrementAndGet();
  }

  /**
   * Takes a retry slot when retries in flight stay within the budget: at most
   * {@code max(minRetryConcurrency, retryBudgetPercent% of requests in flight)}.
   */
  public boolean tryStartRetry() {
    return tryTake(retries, retriesAllowed());
  }

  /** Retries in flight the budget allows now: it follows the requests in flight. */
  private int retriesAllowed() {
    long allowed =
        Math.max(
            limits.minRetryConcurrency(),
            (long) requests.get() * limits.retryBudgetPercent() / 100);
    return (int) Math.min(Integer.MAX_VALUE, allowed);
  }

  /** Slots of {@code limit} taken now (metrics, {@code /clusters}). */
  public int inUse(Overflow limit) {
    return switch (limit) {
      case MAX_CONNECTIONS -> connections.get();
      case MAX_PENDING_REQUESTS -> pending.get();
      case MAX_REQUESTS -> requests.get();
      case RETRY_BUDGET -> retries.get();
    };
  }

  /** The most slots of {@code limit} there can be now; for the retry budget it moves with load. */
  public int max(Overflow limit) {
    return switch (limit) {
      case MAX_CONNECTIONS -> limits.maxConnections();
      case MAX_PENDING_REQUESTS -> limits.maxPendingRequests();
      case MAX_REQUESTS -> limits.maxRequests();
      case RETRY_BUDGET -> retriesAllowed();
    };
  }

  /** Whether {@code limit} is full: the next request (or retry) it guards would be refused. */
  public boolean open(Overflow limit) {
    return inUse(limit) >= max(limit);
  }

  public void retryEnded() {
    retries.decrementAndGet();
  }

  public int connections() {
    return connections.get();
  }

  public int pendingRequests() {
    return pending.get();
  }

  public int requests() {
    return requests.get();
  }

  public int retries() {
    return retries.get();
  }

  /** Increments unless that would pass {@code max}; a CAS loop, so no limit is ever overshot. */
  private static boolean tryTake(AtomicInteger counter, int max) {
    while (true) {
      int current = counter.get();
      if (current >= max) {
        return false;
      }
      if (counter.compareAndSet(current, current + 1)) {
        return true;
      }
    }
  }
}
