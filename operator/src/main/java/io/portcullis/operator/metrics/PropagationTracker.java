package io.portcullis.operator.metrics;

import io.portcullis.operator.store.SnapshotStore;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Measures how long a change takes to be served: from the cache event that triggered the rebuild
 * of a version to the moment every connected dataplane has acked it (or a later version). Fed by
 * the rebuild loop (a new version and when its first change arrived) and the store's ack events.
 * A version published while no dataplane is connected is measured once one connects and acks.
 */
final class PropagationTracker {
  /** Versions waiting for acks; a dataplane that never acks must not make this grow forever. */
  static final int MAX_PENDING = 64;

  private final SnapshotStore store;
  private final LongSupplier nanoTime;
  private final java.util.function.DoubleConsumer observe;
  private final Map<String, Long> pending = new LinkedHashMap<>();

  PropagationTracker(SnapshotStore store, LongSupplier nanoTime, java.util.function.DoubleConsumer observe) {
    this.store = store;
    this.nanoTime = nanoTime;
    this.observe = observe;
  }

  /** A new version went out; {@code changedAtNanos} is when its first triggering change came in. */
  synchronized void published(String version, long changedAtNanos) {
    pending.putIfAbsent(version, changedAtNanos);
    while (pending.size() > MAX_PENDING) {
      Iterator<String> oldest = pending.keySet().iterator();
      oldest.next();
      oldest.remove();
    }
    // The acks may have come in before we were told (a fast dataplane on loopback).
    acksChanged();
  }

  /** Something that may mean "served everywhere" happened. */
  synchronized void acksChanged() {
    if (pending.isEmpty()) {
      return;
    }
    long now = nanoTime.getAsLong();
    Iterator<Map.Entry<String, Long>> it = pending.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<String, Long> e = it.next();
      if (store.isProgrammedEverywhere(e.getKey())) {
        observe.accept(Math.max(0, now - e.getValue()) / 1e9);
        it.remove();
      }
    }
  }

  synchronized int pendingCount() {
    return pending.size();
  }
}
