package io.portcullis.waf.engine;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Small dense ids for distinct transformation chains ({@code t:urlDecodeUni,t:lowercase,...}),
 * so a request's cache of transformed values is an array lookup. CRS has a few dozen chains; the
 * table only grows when rules are loaded.
 */
final class TransformChains {
  private static final ConcurrentHashMap<String, Integer> IDS = new ConcurrentHashMap<>();
  private static int next;

  private TransformChains() {}

  static synchronized int id(String chain) {
    Integer id = IDS.get(chain);
    if (id == null) {
      id = next++;
      IDS.put(chain, id);
    }
    return id;
  }

  /** Ids handed out so far (all ids are below this). */
  static int count() {
    return Math.max(1, IDS.size()); // ids are 0..size-1: assigned in order, never removed
  }
}
