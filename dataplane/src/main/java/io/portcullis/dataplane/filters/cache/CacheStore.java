package io.portcullis.dataplane.filters.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;

/**
 * The dataplane's one store of responses: a Caffeine cache (W-TinyLFU eviction) weighted by the
 * bytes it holds, mapping a primary key (see {@link CacheKeys}) to that URL's variants, newest
 * first. Shared by every event loop and every route; it outlives snapshot swaps.
 */
final class CacheStore {
  /** At most this many variants per URL: a Vary on a wild header cannot fill the store. */
  static final int MAX_VARIANTS = 16;

  /** The variants of one primary key, newest first. */
  record Variants(List<StoredResponse> responses, long weight) {
    static Variants of(List<StoredResponse> responses) {
      return new Variants(List.copyOf(responses),
          responses.stream().mapToLong(StoredResponse::weight).sum());
    }
  }

  private final Cache<String, Variants> cache;
  private final long maximumBytes;

  CacheStore(long maximumBytes, CacheMetrics metrics) {
    this.maximumBytes = maximumBytes;
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maximumBytes)
            .weigher((String key, Variants v) -> (int) Math.min(Integer.MAX_VALUE, v.weight()))
            // Maintenance runs on the thread that wrote: no pool thread, deterministic in tests.
            .executor(Runnable::run)
            .removalListener((String key, Variants v, RemovalCause cause) -> {
              if (cause.wasEvicted()) {
                metrics.evicted();
              }
            })
            .build();
  }

  long maximumBytes() {
    return maximumBytes;
  }

  /** §4.1: the most recent stored response for {@code key} whose selecting headers match. */
  StoredResponse select(String key, HttpHeaders request) {
    Variants v = cache.getIfPresent(key);
    if (v == null) {
      return null;
    }
    for (StoredResponse r : v.responses()) {
      if (Vary.matches(r, request)) {
        return r;
      }
    }
    return null;
  }

  /** True when something is stored under {@code key} (a vary miss rather than a URL miss). */
  boolean contains(String key) {
    return cache.getIfPresent(key) != null;
  }

  /** Stores {@code response}, replacing a variant with the same selecting values. */
  void put(String key, StoredResponse response) {
    cache.asMap().compute(key, (k, old) -> {
      List<StoredResponse> list = new ArrayList<>();
      list.add(response);
      if (old != null) {
        for (StoredResponse r : old.responses()) {
          if (!r.selecting().equals(response.selecting()) && list.size() < MAX_VARIANTS) {
            list.add(r);
          }
        }
      }
      return Variants.of(list);
    });
  }

  /** Replaces {@code previous} (if still stored) with {@code updated}, as after a 304. */
  void replace(String key, StoredResponse previous, StoredResponse updated) {
    cache.asMap().computeIfPresent(key, (k, old) -> {
      List<StoredResponse> list = new ArrayList<>(old.responses());
      int i = 0;
      while (i < list.size() && list.get(i) != previous) {
        i++;
      }
      if (i == list.size()) {
        return old;
      }
      list.remove(i);
      list.add(0, updated);
      return Variants.of(list);
    });
  }

  /** Removes {@code previous} (if still stored), leaving the key's other variants. */
  void remove(String key, StoredResponse previous) {
    cache.asMap().computeIfPresent(key, (k, old) -> {
      List<StoredResponse> list = new ArrayList<>(old.responses());
      list.removeIf(r -> r == previous);
      return list.isEmpty() ? null : Variants.of(list);
    });
  }

  /** Removes every variant of {@code key}; returns how many primary keys went (0 or 1). */
  int invalidate(String key) {
    return cache.asMap().remove(key) != null ? 1 : 0;
  }

  /** Removes every key starting with {@code prefix}; returns how many. */
  int invalidatePrefix(String prefix) {
    int[] n = {0};
    cache.asMap().keySet().removeIf(k -> {
      boolean hit = k.startsWith(prefix);
      if (hit) {
        n[0]++;
      }
      return hit;
    });
    return n[0];
  }

  /** Bytes held now (an estimate, as weighed). */
  long weightedSize() {
    return cache.policy().eviction().map(e -> e.weightedSize().orElse(0L)).orElse(0L);
  }

  long entries() {
    return cache.estimatedSize();
  }

  /** Runs pending maintenance (evictions), for tests and metrics. */
  void cleanUp() {
    cache.cleanUp();
  }
}
