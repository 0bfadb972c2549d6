package io.portcullis.dataplane.clientaddress;

import java.net.InetAddress;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Open connections per client address, refusing one more than the limit. An address is in the map
 * only while it holds a connection (its entry goes at 0), so the map never holds more entries than
 * there are open connections, however many distinct addresses came and went. Thread-safe: every
 * event loop accepts.
 */
final class ConnectionsPerClient {
  private final int max;
  private final ConcurrentHashMap<InetAddress, Integer> open = new ConcurrentHashMap<>();

  /** @param max connections one address may hold; at least 1 */
  ConnectionsPerClient(int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be at least 1");
    }
    this.max = max;
  }

  /** Counts one more connection of {@code client}, unless it already holds the maximum. */
  boolean tryAcquire(InetAddress client) {
    boolean[] admitted = {false};
    open.compute(client, (address, count) -> {
      int now = count == null ? 0 : count;
      if (now >= max) {
        return count;
      }
      admitted[0] = true;
      return now + 1;
    });
    return admitted[0];
  }

  /** One connection of {@code client} that {@link #tryAcquire} admitted has closed. */
  void release(InetAddress client) {
    open.computeIfPresent(client, (address, count) -> count <= 1 ? null : count - 1);
  }

  /** Addresses holding at least one connection. */
  int clients() {
    return open.size();
  }

  /** Connections {@code client} holds now. */
  int connections(InetAddress client) {
    return open.getOrDefault(client, 0);
  }
}
