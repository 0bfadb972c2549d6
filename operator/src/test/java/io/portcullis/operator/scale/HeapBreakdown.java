package io.portcullis.operator.scale;

import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.portcullis.operator.Operator;
import io.portcullis.operator.compile.IncrementalCompiler;
import io.portcullis.operator.source.KubernetesSource;
import io.portcullis.operator.store.SnapshotStore;
import java.lang.reflect.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * What the operator's heap holds, part by part: each part's roots are walked ({@link HeapWalk}),
 * and objects are counted once, by the first part that reaches them. Parts share objects (our
 * cache holds the informers' instances; the snapshot history shares records with the current
 * snapshot), so each row is what its part holds beyond the rows above it. The rest of the live
 * heap (classes' static data, the fabric8 client and Netty, threads) is the live total minus the
 * rows.
 *
 * <p>A bench tool: it reads private fields by name, and a renamed field fails it loudly.
 */
final class HeapBreakdown {
  private HeapBreakdown() {}

  record Row(long bytes, String label, String top) {}

  static List<Row> of(Operator operator, KubernetesSource source, IncrementalCompiler compiler,
      SnapshotStore store) {
    List<Row> rows = new ArrayList<>();
    HeapWalk walk = new HeapWalk();
    java.util.function.BiConsumer<String, Object[]> part = (label, roots) -> {
      HeapWalk.Reach reach = walk.walk(roots);
      rows.add(new Row(reach.bytes(), label, reach.top(5)));
      System.err.printf("heap part: %s: %.1f MiB, %,d objects: %s%n", label, reach.bytes() / 1048576.0,
          reach.objects(), reach.top(12));
    };

    @SuppressWarnings("unchecked")
    List<SharedIndexInformer<?>> informers = (List<SharedIndexInformer<?>>) field(source, "informers");
    for (SharedIndexInformer<?> informer : informers) {
      List<?> items = informer.getStore().list();
      if (!items.isEmpty()) {
        part.accept(String.format("fabric8 %s objects in the informer's store (%,d)",
            items.get(0).getClass().getSimpleName(), items.size()), items.toArray());
      }
    }
    // Are our cache's objects the informers' instances (one copy), or copies of the same version?
    io.portcullis.operator.cache.ResourceCache cache = (io.portcullis.operator.cache.ResourceCache) field(source, "cache");
    List<String> copies = new ArrayList<>();
    for (SharedIndexInformer<?> informer : informers) {
      List<?> items = informer.getStore().list();
      if (items.isEmpty()) {
        continue;
      }
      @SuppressWarnings("unchecked")
      Class<io.fabric8.kubernetes.api.model.HasMetadata> kind =
          (Class<io.fabric8.kubernetes.api.model.HasMetadata>) items.get(0).getClass();
      java.util.Set<Object> ours = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
      ours.addAll(cache.list(kind));
      long other = items.stream().filter(o -> !ours.contains(o)).count();
      copies.add(String.format("%s %,d of %,d", kind.getSimpleName(), other, items.size()));
    }
    rows.add(new Row(0, "(note) informer objects our cache holds as another copy", String.join(", ", copies)));
    part.accept("our ResourceCache (maps by kind, sorted lists) beyond the same objects",
        new Object[] {field(source, "cache")});
    part.accept("the informers' store maps and namespace indexes beyond them",
        informers.stream().map(SharedIndexInformer::getIndexer).toArray());
    part.accept("the last compile result (snapshot and statuses)", new Object[] {field(compiler, "lastResult")});
    part.accept("the incremental compiler's memo beyond it (last state, host footprints, parsed certificates)",
        new Object[] {compiler});
    // Not the version sequences: that map's class is an inner one that reaches the whole store.
    part.accept("snapshot history beyond the current snapshot (" + SnapshotStore.DEFAULT_HISTORY
        + " versions kept as delta bases)", new Object[] {field(store, "history")});
    Object writer = field(operator, "statusWriter");
    List<Object> writerState = new ArrayList<>();
    for (String name : List.of("written", "activeEvents", "ingressConditions", "failures",
        "programmedRoutes", "processed", "latest", "processedAddresses")) {
      writerState.add(field(writer, name));
    }
    writerState.add(field(field(writer, "ingressAddresses"), "written"));
    Object sink = field(writer, "sink");
    if (sink instanceof io.portcullis.operator.status.KubernetesStatusSink) {
      Object events = field(sink, "events");
      // Its entries only: the map's class is an inner one that reaches the recorder and the client.
      writerState.add(new ArrayList<>(((java.util.Map<?, ?>) field(events, "counts")).entrySet()));
      writerState.add(field(events, "correlator"));
    }
    part.accept("the status writer's state (last pass, written statuses and addresses, events)",
        writerState.toArray());
    HeapWalk.Reach current = new HeapWalk().walk(store.current());
    rows.add(new Row(current.bytes(), "(not cumulative) the current snapshot alone", current.top(5)));
    return rows;
  }

  /** A private field's value, looked up through the class hierarchy. */
  static Object field(Object owner, String name) {
    for (Class<?> type = owner.getClass(); type != null; type = type.getSuperclass()) {
      try {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field.get(owner);
      } catch (NoSuchFieldException e) {
        // look in the superclass
      } catch (IllegalAccessException e) {
        throw new IllegalStateException(e);
      }
    }
    throw new IllegalStateException(owner.getClass().getName() + " has no field " + name);
  }
}
