package io.portcullis.dataplane.stream;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Exponential back-off with full jitter: the n-th delay is uniform in [0, min(cap, base * 2^n)],
 * so a fleet of dataplanes that lost the operator at the same moment does not return in lockstep.
 * Not thread-safe: used on one event loop.
 */
final class Backoff {
  private final long baseMillis;
  private final long capMillis;
  private int attempts;

  Backoff(Duration base, Duration cap) {
    if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
      throw new IllegalArgumentException("back-off needs 0 < base <= cap: " + base + ", " + cap);
    }
    this.baseMillis = base.toMillis();
    this.capMillis = cap.toMillis();
  }

  /** The delay before the next attempt; each call doubles the ceiling up to the cap. */
  long nextDelayMillis() {
    long ceiling = attempts >= 30 ? capMillis : Math.min(capMillis, baseMillis << attempts);
    attempts++;
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }

  /** Current ceiling, for tests and logs. */
  long ceilingMillis() {
    return attempts >= 30 ? capMillis : Math.min(capMillis, baseMillis << attempts);
  }

  void reset() {
    attempts = 0;
  }
}
