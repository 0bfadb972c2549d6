package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Patch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.SortedLists;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticFile;
import io.portcullis.snapshot.StaticSource;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Recompiles only the virtual hosts a change can reach, and merges them into the previous result.
 *
 * <p>The part to recompile is closed under "shares a host": starting from the changed Ingresses
 * and ProxyRoutes (old and new forms) and every route object in a namespace whose Services,
 * EndpointSlices, Secrets or ConfigMaps changed, it adds every object on any of their hosts, then
 * every object on those objects' hosts, and so on. The compiler then runs on exactly those objects
 * with the Services, slices, Secrets and ConfigMaps of their namespaces (references never leave a
 * namespace). Since no object outside the part shares a host with one inside, every virtual host
 * outside it, with its clusters, certificates and statuses, is what a full compile would give,
 * and every host inside it is what a full compile would give too.
 *
 * <p>What reaches across hosts goes to a full compile instead (an empty result): the default
 * backend (any Ingress in the part with {@code spec.defaultBackend}, or a change in the namespace
 * of the default backend or of the default certificate), and a part that produced a virtual host
 * outside its hosts (a host an annotation added that the last compile had not seen yet).
 */
final class PartialCompile {
  /** Beyond this share of all route objects a full compile is as cheap. */
  private static final int MAX_SHARE_PERCENT = 25;

  private final Compiler compiler;
  private final CompilerSettings settings;

  PartialCompile(Compiler compiler, CompilerSettings settings) {
    this.compiler = compiler;
    this.settings = settings;
  }

  /** The outcome: the merged result, and the keys of the objects that were recompiled. */
  record Outcome(CompileResult result, CompileResult part, Set<String> objectKeys) {}

  /** The merged result, or null when only a full compile gives the right one. */
  Outcome compile(ClusterState state, CompileResult previous, StateChanges changes,
      HostFootprints footprints) {
    footprints.replace(changes.sameNow());
    if (touchesDefaults(changes.namespaces(), previous.snapshot().defaultCluster())) {
      return null;
    }
    // The index follows the change first; the seed is then the changed objects (old forms too:
    // the hosts they left are recompiled) plus the objects of the changed namespaces.
    footprints.update(changes.routeObjects(), changes.routeObjectsNow()::get);
    Set<String> keys = new HashSet<>();
    Set<String> hosts = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    for (String namespace : changes.namespaces()) {
      for (String key : footprints.keysIn(namespace)) {
        keys.add(key);
        footprints.hostsOfKey(key).forEach(h -> add(h, hosts, todo));
      }
    }
    for (HasMetadata object : changes.routeObjects()) {
      keys.add(HostFootprints.key(object));
      footprints.hostsOf(object).forEach(h -> add(h, hosts, todo));
    }
    int limit = Math.max(1, footprints.size() * MAX_SHARE_PERCENT / 100);
    while (!todo.isEmpty()) {
      for (String key : footprints.keysOn(todo.poll())) {
        if (keys.add(key)) {
          footprints.hostsOfKey(key).forEach(h -> add(h, hosts, todo));
        }
      }
      if (keys.size() > limit) {
        return null;
      }
    }
    // The part's objects in the state's own order, picked by identity (no key built per object).
    Set<HasMetadata> partObjects = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    for (String key : keys) {
      HasMetadata object = footprints.object(key);
      if (object != null) {
        partObjects.add(object);
      }
    }
    List<Ingress> ingresses = state.ingresses().stream().filter(partObjects::contains).toList();
    List<ProxyRoute> proxyRoutes = state.proxyRoutes().stream().filter(partObjects::contains).toList();
    if (ingresses.stream().anyMatch(PartialCompile::hasDefaultBackend)
        || changes.routeObjects().stream().anyMatch(PartialCompile::hasDefaultBackend)) {
      return null;
    }
    Set<String> namespaces = new HashSet<>();
    ingresses.forEach(i -> namespaces.add(StateChanges.namespace(i)));
    proxyRoutes.forEach(r -> namespaces.add(StateChanges.namespace(r)));
    namespaces.addAll(defaultNamespaces());
    Predicate<HasMetadata> inNamespaces = o -> namespaces.contains(StateChanges.namespace(o));
    ClusterState sub = new ClusterState(
        state.ingressClasses(), ingresses, proxyRoutes,
        state.services().stream().filter(inNamespaces).toList(),
        state.endpointSlices().stream().filter(inNamespaces).toList(),
        state.secrets().stream().filter(inNamespaces).toList(),
        state.now(),
        state.configMaps().stream().filter(inNamespaces).toList());
    CompileResult part = compiler.compilePart(sub);
    for (VirtualHost vhost : part.snapshot().virtualHosts()) {
      if (!hosts.contains(vhost.host())) {
        return null;
      }
    }
    CompileResult merged = merge(previous, part, hosts, keys);
    return merged == null ? null : new Outcome(merged, part, keys);
  }

  private static void add(String host, Set<String> hosts, Deque<String> todo) {
    if (hosts.add(host)) {
      todo.add(host);
    }
  }

  private static boolean hasDefaultBackend(HasMetadata object) {
    return object instanceof Ingress i && i.getSpec() != null && i.getSpec().getDefaultBackend() != null;
  }

  /** Namespaces whose objects the default backend and certificate are read from. */
  private Set<String> defaultNamespaces() {
    Set<String> out = new HashSet<>();
    if (settings.defaultBackend() != null) {
      out.add(settings.defaultBackend().namespace());
    }
    String secret = settings.defaultCertificate().secret();
    if (secret != null && secret.indexOf('/') > 0) {
      out.add(secret.substring(0, secret.indexOf('/')));
    }
    return out;
  }

  private boolean touchesDefaults(Set<String> changedNamespaces, String defaultCluster) {
    Set<String> global = defaultNamespaces();
    if (defaultCluster != null && defaultCluster.indexOf('/') > 0) {
      global.add(defaultCluster.substring(0, defaultCluster.indexOf('/')));
    }
    return changedNamespaces.stream().anyMatch(global::contains);
  }

  /**
   * The previous result with the part's hosts replaced (null if it cannot be assembled): the
   * part's hosts go in, those of its hosts it no longer produces go out; the part's clusters,
   * certificates and blobs go in when a merged host uses them (or the previous result has them:
   * the part's version is the newer); and what the part's hosts used before goes out when no host
   * uses it any more. {@link Snapshot#patch} counts the users, so nothing here walks the hosts
   * outside the part.
   */
  private static CompileResult merge(
      CompileResult previous, CompileResult part, Set<String> hosts, Set<String> keys) {
    Snapshot old = previous.snapshot();
    Snapshot fresh = part.snapshot();
    Uses now = new Uses();
    Set<String> freshHosts = new HashSet<>();
    for (VirtualHost v : fresh.virtualHosts()) {
      freshHosts.add(v.host());
      now.add(v);
    }
    Uses before = new Uses();
    List<String> removeHosts = new ArrayList<>();
    for (String host : hosts) {
      VirtualHost v = SortedLists.find(old.virtualHosts(), host, VirtualHost::host);
      if (v != null) {
        before.add(v);
        if (!freshHosts.contains(host)) {
          removeHosts.add(host);
        }
      }
    }
    Snapshot snapshot;
    try {
      snapshot = old.patch(new Patch(
          fresh.virtualHosts(), removeHosts,
          wanted(fresh.clusters(), now.clusters, old.defaultCluster(), old.clusters(), Cluster::name),
          List.of(), new ArrayList<>(before.clusters), old.defaultCluster(),
          wanted(fresh.certificates(), now.certificates, old.defaultCertificate(),
              old.certificates(), TlsCertificate::name),
          List.of(), new ArrayList<>(before.certificates), old.defaultCertificate(),
          wanted(fresh.blobs(), now.blobs, null, old.blobs(), StaticBlob::digest),
          List.of(), new ArrayList<>(before.blobs)));
    } catch (IllegalArgumentException e) {
      return null; // something the merged hosts use is in neither result: never expected
    }

    return new CompileResult(snapshot, mergeStatuses(previous.statuses(), part.statuses(), keys));
  }

  /** Kind, namespace and name of a status, in the order of a compile's statuses (see {@link StatusCollector}). */
  private record StatusKey(String kind, String namespace, String name) implements Comparable<StatusKey> {
    static StatusKey of(ObjectStatus status) {
      ObjectRef ref = status.object();
      return new StatusKey(ref.kind(), ref.namespace(), ref.name());
    }

    /** From {@link HostFootprints#key}: {@code kind/namespace/name} (names hold no slash). */
    static StatusKey parse(String key) {
      String[] parts = key.split("/", 3);
      return new StatusKey(parts[0], parts[1], parts[2]);
    }

    @Override
    public int compareTo(StatusKey o) {
      int order = kind.compareTo(o.kind);
      if (order == 0) {
        order = namespace.compareTo(o.namespace);
      }
      return order != 0 ? order : name.compareTo(o.name);
    }
  }

  /**
   * The previous statuses with those of the part's objects taken out and the part's put in, in
   * the compile's order. Each touched object is found by binary search and the runs between are
   * copied whole: no key is built or compared per status of the 10,000 untouched objects.
   */
  private static List<ObjectStatus> mergeStatuses(
      List<ObjectStatus> previous, List<ObjectStatus> recompiled, Set<String> partKeys) {
    java.util.TreeMap<StatusKey, ObjectStatus> touched = new java.util.TreeMap<>();
    partKeys.forEach(k -> touched.put(StatusKey.parse(k), null));
    recompiled.forEach(s -> touched.put(StatusKey.of(s), s));
    List<ObjectStatus> out = new ArrayList<>(previous.size() + recompiled.size());
    int from = 0;
    for (Map.Entry<StatusKey, ObjectStatus> change : touched.entrySet()) {
      int low = from;
      int high = previous.size() - 1;
      int found = -1;
      while (low <= high) {
        int mid = (low + high) >>> 1;
        int order = StatusKey.of(previous.get(mid)).compareTo(change.getKey());
        if (order < 0) {
          low = mid + 1;
        } else if (order > 0) {
          high = mid - 1;
        } else {
          found = mid;
          break;
        }
      }
      int end = found >= 0 ? found : low;
      out.addAll(previous.subList(from, end));
      if (change.getValue() != null) {
        out.add(change.getValue());
      }
      from = found >= 0 ? found + 1 : end;
    }
    out.addAll(previous.subList(from, previous.size()));
    return out;
  }

  /**
   * The part's own parts that go into the merged result: those its hosts use, the default, and
   * those the previous result has (the part's version is the newer).
   */
  private static <T> List<T> wanted(List<T> fresh, Set<String> used, String defaultName,
      List<T> previous, java.util.function.Function<T, String> name) {
    List<T> out = new ArrayList<>(fresh.size());
    for (T value : fresh) {
      String key = name.apply(value);
      if (used.contains(key) || key.equals(defaultName) || SortedLists.find(previous, key, name) != null) {
        out.add(value);
      }
    }
    return out;
  }

  /** The clusters, certificates and blobs some virtual hosts use. */
  private static final class Uses {
    final Set<String> clusters = new HashSet<>();
    final Set<String> certificates = new HashSet<>();
    final Set<String> blobs = new HashSet<>();

    void add(VirtualHost v) {
      if (v.tls() != null && v.tls().certificate() != null) {
        certificates.add(v.tls().certificate());
      }
      errorPages(v.filters());
      for (Route route : v.routes()) {
        clusters.addAll(route.action().clusterNames());
        errorPages(route.filters());
        if (route.action() instanceof RouteAction.Static s
            && s.source() instanceof StaticSource.Files files) {
          files.files().forEach((StaticFile f) -> blobs.add(f.digest()));
        }
      }
    }

    private void errorPages(List<io.portcullis.snapshot.filter.FilterConfig> filters) {
      for (var filter : filters) {
        if (filter instanceof io.portcullis.snapshot.filter.ErrorPages pages) {
          clusters.add(pages.cluster());
        }
      }
    }
  }
}
