package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * What differs between two cluster states, as the partial recompile needs it: the Ingresses and
 * ProxyRoutes that changed (each in its old and its new form, so the hosts it left are recompiled
 * too), and the namespaces whose Services, EndpointSlices, Secrets or ConfigMaps changed (every
 * reference from a route object to those stays inside its own namespace).
 *
 * @param routeObjects old and new versions of every added, removed or changed Ingress/ProxyRoute
 * @param routeObjectsNow by {@link HostFootprints#key}, the new version of each of those objects
 *     that the new state still has (a removed one is absent)
 * @param namespaces namespaces with a changed Service, EndpointSlice, Secret or ConfigMap
 * @param sameNow by {@link HostFootprints#key}, the new instance of each Ingress or ProxyRoute
 *     that the compiler reads the same as before ({@link #sameForCompile}: its status was
 *     written): not a change, but whoever holds the old instance must take the new one
 */
record StateChanges(List<HasMetadata> routeObjects, Map<String, HasMetadata> routeObjectsNow,
    Set<String> namespaces, Map<String, HasMetadata> sameNow) {
  StateChanges {
    routeObjects = List.copyOf(routeObjects);
    routeObjectsNow = Map.copyOf(routeObjectsNow);
    namespaces = Set.copyOf(namespaces);
    sameNow = Map.copyOf(sameNow);
  }

  boolean isEmpty() {
    return routeObjects.isEmpty() && namespaces.isEmpty();
  }

  /**
   * The changes from {@code before} to {@code after}; empty when something every object depends
   * on changed (the IngressClasses), which only a full compile can follow.
   */
  static Optional<StateChanges> between(ClusterState before, ClusterState after) {
    if (!changed(before.ingressClasses(), after.ingressClasses()).isEmpty()) {
      return Optional.empty();
    }
    List<HasMetadata> routeObjects = new ArrayList<>();
    Map<String, HasMetadata> now = new HashMap<>();
    Map<String, HasMetadata> sameNow = new HashMap<>();
    routeObjects.addAll(changed(before.ingresses(), after.ingresses(), now, sameNow));
    routeObjects.addAll(changed(before.proxyRoutes(), after.proxyRoutes(), now, sameNow));
    Set<String> namespaces = new HashSet<>();
    for (List<? extends HasMetadata> kind : List.of(
        changed(before.services(), after.services()),
        changed(before.endpointSlices(), after.endpointSlices()),
        changed(before.secrets(), after.secrets()),
        changed(before.configMaps(), after.configMaps()))) {
      kind.forEach(o -> namespaces.add(namespace(o)));
    }
    return Optional.of(new StateChanges(routeObjects, now, namespaces, sameNow));
  }

  /**
   * Whether the compiler would read the same from both versions of an object. An Ingress whose
   * status alone moved (our own address writes, 10,000 of them after a start at 10,000 Ingresses)
   * is the same: counted as changed, the first change after the start-up's writes recompiled
   * every Ingress. Everything else compares whole (ProxyRoute specs compare by identity).
   */
  static boolean sameForCompile(HasMetadata before, HasMetadata after) {
    if (before instanceof Ingress a && after instanceof Ingress b) {
      ObjectMeta m1 = a.getMetadata();
      ObjectMeta m2 = b.getMetadata();
      return Objects.equals(a.getSpec(), b.getSpec())
          && Objects.equals(m1.getUid(), m2.getUid())
          && Objects.equals(m1.getCreationTimestamp(), m2.getCreationTimestamp())
          && Objects.equals(m1.getGeneration(), m2.getGeneration())
          && Objects.equals(m1.getLabels(), m2.getLabels())
          && Objects.equals(m1.getAnnotations(), m2.getAnnotations())
          && Objects.equals(m1.getDeletionTimestamp(), m2.getDeletionTimestamp())
          && Objects.equals(m1.getOwnerReferences(), m2.getOwnerReferences());
    }
    return before.equals(after);
  }

  static String namespace(HasMetadata object) {
    return Objects.toString(object.getMetadata().getNamespace(), "");
  }

  /** {@code namespace/name}. */
  static String name(HasMetadata object) {
    return namespace(object) + "/" + object.getMetadata().getName();
  }

  /**
   * Old and new versions of what was added, removed or changed. Walks both lists once by identity
   * (the cache hands out the same instance for an unchanged object, in the same order); only when
   * the lists stop lining up does it fall back to matching by name.
   */
  static List<HasMetadata> changed(List<? extends HasMetadata> before, List<? extends HasMetadata> after) {
    return changed(before, after, new HashMap<>(), new HashMap<>());
  }

  /**
   * {@link #changed}, also filing the new version of each changed object in {@code now}, and the
   * new instance of each object that is the same for the compiler in {@code sameNow}.
   */
  private static List<HasMetadata> changed(List<? extends HasMetadata> before,
      List<? extends HasMetadata> after, Map<String, HasMetadata> now, Map<String, HasMetadata> sameNow) {
    if (before == after) {
      return List.of(); // an unchanged kind: the cache hands out the very same list
    }
    List<HasMetadata> out = new ArrayList<>();
    int n = Math.min(before.size(), after.size());
    int i = 0;
    for (; i < n; i++) {
      HasMetadata a = before.get(i);
      HasMetadata b = after.get(i);
      if (a == b) {
        continue;
      }
      if (!name(a).equals(name(b))) {
        break;
      }
      if (!sameForCompile(a, b)) {
        out.add(a);
        out.add(b);
        now.put(HostFootprints.key(b), b);
      } else {
        sameNow.put(HostFootprints.key(b), b);
      }
    }
    if (i == before.size() && i == after.size()) {
      return out;
    }
    Map<String, HasMetadata> old = new HashMap<>();
    for (int j = i; j < before.size(); j++) {
      old.put(name(before.get(j)), before.get(j));
    }
    for (int j = i; j < after.size(); j++) {
      HasMetadata b = after.get(j);
      HasMetadata a = old.remove(name(b));
      if (a == null) {
        out.add(b);
        now.put(HostFootprints.key(b), b);
      } else if (a != b && !sameForCompile(a, b)) {
        out.add(a);
        out.add(b);
        now.put(HostFootprints.key(b), b);
      } else if (a != b) {
        sameNow.put(HostFootprints.key(b), b);
      }
    }
    out.addAll(old.values());
    return out;
  }
}
