package io.portcullis.dataplane.lb;

import java.util.List;

/**
 * A Maglev lookup table (Eisenbud et al., NSDI 2016): {@link #SIZE} slots, each naming one
 * endpoint, filled by every endpoint in turn along its own permutation of the slots. Each endpoint
 * gets an almost equal share of slots, and removing one of N endpoints moves only about 1/N of
 * the slots (mostly its own). Built once per endpoint set, off the request path.
 */
final class MaglevTable {
  /** A prime well above 100 × the largest endpoint count we expect, as the paper advises. */
  static final int SIZE = 65_537;

  private final List<UpstreamEndpoint> endpoints;
  private final int[] slots;

  private MaglevTable(List<UpstreamEndpoint> endpoints, int[] slots) {
    this.endpoints = endpoints;
    this.slots = slots;
  }

  static MaglevTable build(List<UpstreamEndpoint> endpoints) {
    int n = endpoints.size();
    int[] slots = new int[SIZE];
    if (n == 0) {
      return new MaglevTable(endpoints, slots);
    }
    java.util.Arrays.fill(slots, -1);
    long[] offset = new long[n];
    long[] skip = new long[n];
    long[] next = new long[n];
    for (int i = 0; i < n; i++) {
      // The permutation depends on address:port only, so it is the same on every dataplane and
      // for every ordering of the set.
      String name = endpoints.get(i).endpoint().address() + ":" + endpoints.get(i).endpoint().port();
      offset[i] = Math.floorMod(Hashing.hash64(name, 0x9e3779b97f4a7c15L), (long) SIZE);
      skip[i] = Math.floorMod(Hashing.hash64(name, 0x632be59bd9b4e019L), (long) (SIZE - 1)) + 1;
    }
    int filled = 0;
    while (true) {
      for (int i = 0; i < n; i++) {
        int c = (int) ((offset[i] + next[i] * skip[i]) % SIZE);
        while (slots[c] >= 0) {
          next[i]++;
          c = (int) ((offset[i] + next[i] * skip[i]) % SIZE);
        }
        slots[c] = i;
        next[i]++;
        if (++filled == SIZE) {
          return new MaglevTable(endpoints, slots);
        }
      }
    }
  }

  /** The endpoint set this table was built for (the cluster's list instance). */
  List<UpstreamEndpoint> endpoints() {
    return endpoints;
  }

  /** The endpoint in the slot {@code hash} falls on, walking on past slots {@code usable} rejects. */
  UpstreamEndpoint lookup(long hash, java.util.function.Predicate<UpstreamEndpoint> usable) {
    int start = (int) Math.floorMod(hash, (long) SIZE);
    for (int k = 0; k < SIZE; k++) {
      int slot = start + k;
      if (slot >= SIZE) {
        slot -= SIZE;
      }
      UpstreamEndpoint e = endpoints.get(slots[slot]);
      if (usable.test(e)) {
        return e;
      }
    }
    return null;
  }
}
