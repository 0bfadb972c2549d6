package io.portcullis.operator.cache;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The latest copy of every object a source has seen, keyed by kind and namespace/name, and the
 * {@link ClusterState} view the compiler reads. Thread-safe: informer threads write, the rebuild
 * thread reads.
 *
 * <p>Writes report whether anything changed, so that resync no-ops (an update with the same
 * {@code resourceVersion}) never wake the rebuild loop. Core/v1 Endpoints are kept as they are and
 * converted to EndpointSlices when the state is built.
 */
public final class ResourceCache {
  /** The kinds the compiler reads; anything else is refused rather than silently kept. */
  public static final Set<Class<? extends HasMetadata>> KINDS =
      Set.of(
          IngressClass.class,
          Ingress.class,
          ProxyRoute.class,
          Service.class,
          EndpointSlice.class,
          Endpoints.class,
          Secret.class,
          ConfigMap.class);

  private static final Comparator<HasMetadata> BY_NAMESPACE_AND_NAME =
      Comparator.comparing((HasMetadata o) -> Objects.toString(o.getMetadata().getNamespace(), ""))
          .thenComparing(o -> o.getMetadata().getName());

  private final Map<Class<?>, Kind> byKind = new ConcurrentHashMap<>();

  /**
   * The objects of one kind, and their sorted list as of a count of changes. A state is taken per
   * rebuild and most rebuilds change one object of one kind: the other kinds' lists are handed
   * out again (the same instances, which the incremental compiler compares by identity) instead
   * of being copied and sorted again, 30,000 objects at 10,000 Ingresses.
   */
  private static final class Kind {
    final Map<String, HasMetadata> objects;
    /** Bumped after every write, so a list sorted while a write ran is never taken as current. */
    final AtomicLong changes = new AtomicLong();
    volatile SortedList sorted;

    Kind(Map<String, HasMetadata> objects) {
      this.objects = objects;
    }

    Kind() {
      this(new ConcurrentHashMap<>());
    }

    List<HasMetadata> sorted() {
      long now = changes.get();
      SortedList cached = sorted;
      if (cached != null && cached.asOf() == now) {
        return cached.list();
      }
      List<HasMetadata> out = new ArrayList<>(objects.values());
      out.sort(BY_NAMESPACE_AND_NAME);
      List<HasMetadata> frozen = List.copyOf(out); // ClusterState keeps it as it is
      sorted = new SortedList(now, frozen);
      return frozen;
    }
  }

  private record SortedList(long asOf, List<HasMetadata> list) {}

  /** True for objects of a kind this cache keeps. */
  public static boolean accepts(HasMetadata object) {
    return KINDS.contains(object.getClass());
  }

  /**
   * Stores {@code object}, replacing an older copy.
   *
   * @return false when an identical version was already stored (same non-null resourceVersion)
   */
  public boolean upsert(HasMetadata object) {
    requireKind(object);
    Kind kind = byKind.computeIfAbsent(object.getClass(), k -> new Kind());
    HasMetadata previous = kind.objects.put(key(object), object);
    kind.changes.incrementAndGet();
    if (previous == null) {
      return true;
    }
    String before = previous.getMetadata().getResourceVersion();
    String after = object.getMetadata().getResourceVersion();
    return before == null || !before.equals(after);
  }

  /**
   * Holds {@code object} instead of the copy of the same version held now: the informer's store
   * replaced its instance without an event (a relist after a watch expired, a watch that replays
   * what it listed), and the cache must not keep the other copy alive. Not a change: nothing
   * is recompiled, though the kind's sorted list is made again (it holds the old instance).
   *
   * @return false when the cache holds no object of that name, or one of another version (its
   *     own event is still on the way, and brings the instance it had)
   */
  public boolean shareInstance(HasMetadata object) {
    requireKind(object);
    Kind kind = byKind.get(object.getClass());
    String version = object.getMetadata().getResourceVersion();
    if (kind == null || version == null) {
      return false;
    }
    boolean[] replaced = {false};
    kind.objects.computeIfPresent(key(object), (k, held) -> {
      if (held != object && version.equals(held.getMetadata().getResourceVersion())) {
        replaced[0] = true;
        return object;
      }
      return held;
    });
    if (replaced[0]) {
      kind.changes.incrementAndGet();
    }
    return replaced[0];
  }

  /** Removes the object with {@code object}'s kind, namespace and name; false if absent. */
  public boolean delete(HasMetadata object) {
    requireKind(object);
    Kind kind = byKind.get(object.getClass());
    if (kind == null || kind.objects.remove(key(object)) == null) {
      return false;
    }
    kind.changes.incrementAndGet();
    return true;
  }

  /** Replaces every object of every kind with {@code objects} (a manifests re-read). */
  public synchronized boolean replaceAll(List<? extends HasMetadata> objects) {
    Map<Class<?>, Map<String, HasMetadata>> fresh = new ConcurrentHashMap<>();
    for (HasMetadata object : objects) {
      requireKind(object);
      fresh.computeIfAbsent(object.getClass(), k -> new ConcurrentHashMap<>()).put(key(object), object);
    }
    boolean changed = false;
    for (Class<? extends HasMetadata> kind : KINDS) {
      Map<String, HasMetadata> now = fresh.getOrDefault(kind, Map.of());
      Kind before = byKind.get(kind);
      if (!now.equals(before == null ? Map.of() : before.objects)) {
        changed = true;
        byKind.put(kind, new Kind(new ConcurrentHashMap<>(now)));
      }
    }
    return changed;
  }

  /**
   * Every object of {@code kind}, sorted by namespace and name; unmodifiable, and the same
   * instance as the last call's while the kind has not changed.
   */
  @SuppressWarnings("unchecked") // a Kind holds objects of its class only (upsert checks)
  public <T extends HasMetadata> List<T> list(Class<T> kind) {
    Kind objects = byKind.get(kind);
    return objects == null ? List.of() : (List<T>) objects.sorted();
  }

  /** The compiler's view: lists sorted by namespace/name, Endpoints turned into slices. */
  public ClusterState state() {
    List<EndpointSlice> slices = list(EndpointSlice.class);
    List<Endpoints> endpointsObjects = list(Endpoints.class);
    if (!endpointsObjects.isEmpty()) {
      slices = new ArrayList<>(slices);
      for (Endpoints endpoints : endpointsObjects) {
        slices.addAll(EndpointsConverter.toSlices(endpoints));
      }
    }
    return new ClusterState(
        list(IngressClass.class),
        list(Ingress.class),
        list(ProxyRoute.class),
        list(Service.class),
        slices,
        list(Secret.class),
        null,
        list(ConfigMap.class));
  }

  private static String key(HasMetadata object) {
    return Objects.toString(object.getMetadata().getNamespace(), "") + "/" + object.getMetadata().getName();
  }

  private static void requireKind(HasMetadata object) {
    if (!accepts(object)) {
      throw new IllegalArgumentException("not a kind the operator reads: " + object.getKind());
    }
  }
}
