package io.portcullis.operator.scale;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.openjdk.jol.vm.VM;
import org.openjdk.jol.vm.VirtualMachine;

/**
 * Walks object graphs and counts each object once over all walks: a walk's total is what its
 * roots reach that no earlier walk reached. Sizes are JOL's (the object's real shallow size).
 *
 * <p>The walk does not enter classes, class loaders, threads or reflection objects: a
 * {@code Class} key in a map would otherwise lead through its loader to every class of the JVM.
 * JOL's own graph walker cannot be told that; and it records every object by address, which a
 * moving collector changes under it.
 */
final class HeapWalk {
  private final VirtualMachine vm = VM.current();
  private final Map<Object, Boolean> seen = new IdentityHashMap<>();
  private final Map<Class<?>, long[]> offsets = new HashMap<>();

  /** What one walk newly reached: bytes, objects, and bytes and count per class. */
  record Reach(long bytes, long objects, Map<Class<?>, long[]> byClass) {
    /** The classes holding the most, as "Name count x, MiB". */
    String top(int n) {
      return byClass.entrySet().stream()
          .sorted(Comparator.comparingLong((Map.Entry<Class<?>, long[]> e) -> e.getValue()[1]).reversed())
          .limit(n)
          .map(e -> String.format("%s %,d x %.1f MiB", name(e.getKey()), e.getValue()[0], e.getValue()[1] / 1048576.0))
          .collect(Collectors.joining(", "));
    }

    private static String name(Class<?> type) {
      return type.isArray() ? type.getComponentType().getSimpleName() + "[]" : type.getSimpleName();
    }
  }

  Reach walk(Object... roots) {
    Deque<Object> todo = new ArrayDeque<>();
    for (Object root : roots) {
      visit(root, todo);
    }
    long bytes = 0;
    long objects = 0;
    Map<Class<?>, long[]> byClass = new HashMap<>();
    while (!todo.isEmpty()) {
      Object o = todo.pop();
      long size = vm.sizeOf(o);
      bytes += size;
      objects++;
      long[] c = byClass.computeIfAbsent(o.getClass(), k -> new long[2]);
      c[0]++;
      c[1] += size;
      Class<?> type = o.getClass();
      if (type.isArray()) {
        if (!type.getComponentType().isPrimitive()) {
          for (Object element : (Object[]) o) {
            visit(element, todo);
          }
        }
      } else {
        for (long offset : referenceOffsets(type)) {
          visit(vm.getObject(o, offset), todo);
        }
      }
    }
    return new Reach(bytes, objects, byClass);
  }

  private void visit(Object o, Deque<Object> todo) {
    if (o == null || o instanceof Class<?> || o instanceof ClassLoader || o instanceof Thread
        || o instanceof ThreadGroup || o instanceof java.lang.reflect.AccessibleObject || o instanceof Module) {
      return;
    }
    if (seen.put(o, Boolean.TRUE) == null) {
      todo.push(o);
    }
  }

  private long[] referenceOffsets(Class<?> type) {
    return offsets.computeIfAbsent(type, t -> {
      List<Long> found = new ArrayList<>();
      for (Class<?> c = t; c != null; c = c.getSuperclass()) {
        for (Field f : c.getDeclaredFields()) {
          if (!Modifier.isStatic(f.getModifiers()) && !f.getType().isPrimitive()) {
            found.add(vm.fieldOffset(f));
          }
        }
      }
      return found.stream().mapToLong(Long::longValue).toArray();
    });
  }
}
