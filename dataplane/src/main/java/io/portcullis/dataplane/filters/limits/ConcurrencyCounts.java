package io.portcullis.dataplane.filters.limits;

import java.net.InetAddress;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests in progress per scope (a route, or a group of routes) and client address, shared by
 * every event loop and kept across snapshot swaps (a request that started on the previous
 * snapshot still counts, and still gives its slot back). An entry exists only while its count is above zero, so memory is bounded by
 * the requests in progress.
 */
public final class ConcurrencyCounts {
  /** One client in one scope. */
  record Key(String scope, InetAddress client) {
    Key {
      Objects.requireNonNull(scope, "scope");
      Objects.requireNonNull(client, "client");
    }
  }

  private final ConcurrentHashMap<Key, Integer> counts = new ConcurrentHashMap<>();

  /** Takes a slot when fewer than {@code limit} are taken; returns whether it did. */
  boolean tryAcquire(Key key, int limit) {
    boolean[] taken = {false};
    counts.compute(key, (k, n) -> {
      int current = n == null ? 0 : n;
      if (current >= limit) {
        return n;
      }
      taken[0] = true;
      return current + 1;
    });
    return taken[0];
  }

  /** Gives a slot back; the entry goes when its count reaches zero. */
  void release(Key key) {
    counts.computeIfPresent(key, (k, n) -> n <= 1 ? null : n - 1);
  }

  /** Requests in progress for {@code client} in {@code scope} (a route name or group). */
  public int inProgress(String scope, InetAddress client) {
    return counts.getOrDefault(new Key(scope, client), 0);
  }

  /** Scope and client pairs with a request in progress (the memory held). */
  public int entries() {
    return counts.size();
  }
}
