package io.portcullis.operator;

import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.RateLimitShares;
import io.portcullis.snapshot.Snapshot;
import java.util.function.IntSupplier;

/**
 * Carries the number of dataplanes into what the rebuild loop publishes, so rate limits divide
 * their budget among them ({@link RateLimitShares}). When the count changes and the published
 * snapshot has rate limits, {@link #stale()} says so and the operator asks the rebuild loop for a
 * rebuild (debounced like any change); without rate limits a count change costs nothing.
 */
final class DataplaneShares {
  private volatile IntSupplier count;
  /** The count the last published snapshot was divided by, and whether it had limits at all. */
  private volatile int applied = 1;
  private volatile boolean used;

  DataplaneShares(IntSupplier count) {
    this.count = count;
  }

  /** Who counts the dataplanes (several operator replicas: all of theirs). */
  void countedBy(IntSupplier count) {
    this.count = count;
  }

  /** How many dataplanes share the budget now; at least 1 (none connected yet counts as one). */
  int current() {
    return Math.max(1, count.getAsInt());
  }

  /** {@code result} with its rate limits shared by the current count. Called on the rebuild loop. */
  CompileResult apply(CompileResult result) {
    int n = current();
    Snapshot divided = RateLimitShares.divide(result.snapshot(), n);
    used = RateLimitShares.used(divided);
    applied = n;
    return divided == result.snapshot() ? result : new CompileResult(divided, result.statuses());
  }

  /** True when the published snapshot has rate limits divided by a count that changed since. */
  boolean stale() {
    return used && current() != applied;
  }
}
