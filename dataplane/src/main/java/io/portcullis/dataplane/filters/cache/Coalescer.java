package io.portcullis.dataplane.filters.cache;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Request coalescing: while one request's miss for a key is on its way upstream (the leader),
 * later misses for that key wait for it instead of going upstream too, then try the store again.
 * A flight older than {@link #MAX_WAIT_MILLIS} is presumed lost (its client went away before the
 * response came) and the next miss takes over.
 */
final class Coalescer {
  /** How long a follower waits for a leader before going upstream itself. */
  static final long MAX_WAIT_MILLIS = 10_000;

  /** One leader's miss in progress. */
  static final class Flight {
    final String key;
    final long startedMillis;
    final CompletableFuture<Void> done = new CompletableFuture<>();

    Flight(String key, long startedMillis) {
      this.key = key;
      this.startedMillis = startedMillis;
    }
  }

  private final ConcurrentHashMap<String, Flight> flights = new ConcurrentHashMap<>();

  /**
   * Returns {@code mine} when the caller leads (it must {@link #land} it), or the flight in
   * progress for the same key that the caller should wait for.
   */
  Flight join(Flight mine) {
    String key = mine.key;
    while (true) {
      Flight current = flights.putIfAbsent(key, mine);
      if (current == null) {
        return mine;
      }
      if (mine.startedMillis - current.startedMillis < MAX_WAIT_MILLIS) {
        return current;
      }
      if (flights.replace(key, current, mine)) {
        current.done.complete(null);
        return mine;
      }
    }
  }

  /** The leader is done (stored, or decided not to): waiters look again. Idempotent. */
  void land(Flight flight) {
    flights.remove(flight.key, flight);
    flight.done.complete(null);
  }

  int inFlight() {
    return flights.size();
  }
}
