package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import io.portcullis.operator.cache.ResourceCache;
import java.util.stream.Stream;

/**
 * An informer's store (fabric8's own, keyed by namespace/name) that keeps the operator to one
 * copy of each object.
 *
 * <p>Objects are slimmed ({@link SlimObjects}) as they are stored, before any handler sees
 * them. And when the informer replaces a stored object with another instance of the same
 * resourceVersion, it tells nobody (fabric8 sends no event for an unchanged version): after a
 * relist (a watch that expired) or a watch that replays what was listed, the store would hold the
 * new copy and {@link ResourceCache} the old one, every object twice until the next resync. The
 * cache is handed the store's instance instead. (If the cache still holds an older version, its
 * event is on the way with the instance it carries; the next resync evens that out.)
 */
final class SharedInstanceStore<T extends HasMetadata> implements ItemStore<T> {
  private final ItemStore<T> store = new BasicItemStore<>(Cache::metaNamespaceKeyFunc);
  private final ResourceCache cache;

  SharedInstanceStore(ResourceCache cache) {
    this.cache = cache;
  }

  @Override
  public T put(String key, T object) {
    T previous = store.put(key, SlimObjects.slim(object));
    if (previous != null && previous != object && ResourceCache.accepts(object)
        && sameVersion(previous, object)) {
      cache.shareInstance(object);
    }
    return previous;
  }

  private static boolean sameVersion(HasMetadata a, HasMetadata b) {
    String version = b.getMetadata().getResourceVersion();
    return version != null && version.equals(a.getMetadata().getResourceVersion());
  }

  @Override
  public String getKey(T object) {
    return store.getKey(object);
  }

  @Override
  public T remove(String key) {
    return store.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return store.keySet();
  }

  @Override
  public Stream<T> values() {
    return store.values();
  }

  @Override
  public int size() {
    return store.size();
  }

  @Override
  public T get(String key) {
    return store.get(key);
  }
}
