package io.portcullis.dataplane.config;

import java.util.HashMap;
import java.util.Map;
import java.util.function.BiConsumer;

/**
 * An immutable map of which a changed copy costs what changed since the last flattening, not the
 * size of the map: a base hash map that every map derived from it shares, and a small overlay of
 * the keys changed since (a removal is a tombstone). Once the overlay outgrows the square root of
 * the base, a change flattens both into a new base. So a config of 10,000 hosts that changes one
 * host copies about a hundred entries on average instead of 10,000, and a lookup costs at most
 * two hash probes, the first on a small map. Neither keys nor values may be null.
 */
public final class LayeredMap<K, V> {
  private static final Object REMOVED = new Object();
  private static final LayeredMap<?, ?> EMPTY = new LayeredMap<>(Map.of(), Map.of(), 0);

  /** Never modified once this map is built (shared by the maps derived from it). */
  private final Map<K, V> base;
  /** Keys changed since {@link #base} was made: a value, or {@link #REMOVED}. Never modified. */
  private final Map<K, Object> overlay;
  private final int size;

  private LayeredMap(Map<K, V> base, Map<K, Object> overlay, int size) {
    this.base = base;
    this.overlay = overlay;
    this.size = size;
  }

  @SuppressWarnings("unchecked")
  public static <K, V> LayeredMap<K, V> empty() {
    return (LayeredMap<K, V>) EMPTY;
  }

  /** A map holding a copy of {@code entries}. */
  public static <K, V> LayeredMap<K, V> copyOf(Map<K, V> entries) {
    return entries.isEmpty() ? empty() : new LayeredMap<>(new HashMap<>(entries), Map.of(), entries.size());
  }

  /** The value for {@code key}, or null. */
  @SuppressWarnings("unchecked")
  public V get(Object key) {
    if (!overlay.isEmpty()) {
      Object changed = overlay.get(key);
      if (changed != null) {
        return changed == REMOVED ? null : (V) changed;
      }
    }
    return base.get(key);
  }

  public int size() {
    return size;
  }

  public boolean isEmpty() {
    return size == 0;
  }

  /** Every entry, in no particular order (admin views, rare walks; not per request). */
  @SuppressWarnings("unchecked")
  public void forEach(BiConsumer<? super K, ? super V> action) {
    overlay.forEach((k, v) -> {
      if (v != REMOVED) {
        action.accept(k, (V) v);
      }
    });
    base.forEach((k, v) -> {
      if (!overlay.containsKey(k)) {
        action.accept(k, v);
      }
    });
  }

  /** Changes to a copy of this map; this map stays as it is. */
  public Editor<K, V> edit() {
    return new Editor<>(this);
  }

  /** Collects changes; {@link #build} makes the new map. Not for use by several threads. */
  public static final class Editor<K, V> {
    private final LayeredMap<K, V> from;
    private Map<K, Object> overlay;
    private int size;

    private Editor(LayeredMap<K, V> from) {
      this.from = from;
      this.size = from.size;
    }

    /** What the map being built holds for {@code key} now. */
    @SuppressWarnings("unchecked")
    public V get(K key) {
      if (overlay != null) {
        Object changed = overlay.get(key);
        if (changed != null) {
          return changed == REMOVED ? null : (V) changed;
        }
        return from.base.get(key);
      }
      return from.get(key);
    }

    public Editor<K, V> put(K key, V value) {
      if (key == null || value == null) {
        throw new NullPointerException("LayeredMap holds no null key or value");
      }
      if (get(key) == null) {
        size++;
      }
      overlay().put(key, value);
      return this;
    }

    public Editor<K, V> remove(K key) {
      if (get(key) != null) {
        size--;
        if (from.base.containsKey(key)) {
          overlay().put(key, REMOVED);
        } else {
          overlay().remove(key);
        }
      }
      return this;
    }

    private Map<K, Object> overlay() {
      if (overlay == null) {
        overlay = new HashMap<>(from.overlay);
      }
      return overlay;
    }

    /** The changed map: {@code from} itself when nothing changed. */
    @SuppressWarnings("unchecked")
    public LayeredMap<K, V> build() {
      if (overlay == null) {
        return from;
      }
      if (overlay.size() <= flattenAbove(from.base.size())) {
        return new LayeredMap<>(from.base, overlay, size);
      }
      Map<K, V> flat = new HashMap<>(from.base);
      overlay.forEach((k, v) -> {
        if (v == REMOVED) {
          flat.remove(k);
        } else {
          flat.put(k, (V) v);
        }
      });
      return new LayeredMap<>(flat, Map.of(), size);
    }
  }

  /** The overlay size beyond which a change flattens: copying costs about sqrt(n) per change. */
  static int flattenAbove(int baseSize) {
    return Math.max(8, (int) Math.sqrt(baseSize));
  }
}
