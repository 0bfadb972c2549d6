package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticFile;
import io.portcullis.snapshot.StaticSource;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
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
    if (touchesDefaults(changes.namespaces(), previous.snapshot().defaultCluster())) {
      return null;
    }
    // Route objects by host, and the seed: changed objects plus those in changed namespaces.
    Map<String, List<HasMetadata>> byHost = new HashMap<>();
    Map<HasMetadata, Set<String>> hostsOf = new HashMap<>();
    Set<String> keys = new HashSet<>();
    Set<String> hosts = new HashSet<>();
    Deque<String> todo = new ArrayDeque<>();
    int total = 0;
    for (List<? extends HasMetadata> kind : List.of(state.ingresses(), state.proxyRoutes())) {
      for (HasMetadata object : kind) {
        total++;
        Set<String> own = footprints.hostsOf(object);
        hostsOf.put(object, own);
        for (String host : own) {
          byHost.computeIfAbsent(host, h -> new ArrayList<>(2)).add(object);
        }
        if (changes.namespaces().contains(StateChanges.namespace(object))) {
          keys.add(HostFootprints.key(object));
          own.forEach(h -> add(h, hosts, todo));
        }
      }
    }
    for (HasMetadata object : changes.routeObjects()) {
      keys.add(HostFootprints.key(object));
      footprints.hostsOf(object).forEach(h -> add(h, hosts, todo));
    }
    int limit = Math.max(1, total * MAX_SHARE_PERCENT / 100);
    while (!todo.isEmpty()) {
      for (HasMetadata object : byHost.getOrDefault(todo.poll(), List.of())) {
        if (keys.add(HostFootprints.key(object))) {
          hostsOf.get(object).forEach(h -> add(h, hosts, todo));
        }
      }
      if (keys.size() > limit) {
        return null;
      }
    }
    Predicate<HasMetadata> inPart = o -> keys.contains(HostFootprints.key(o));
    List<Ingress> ingresses = state.ingresses().stream().filter(inPart).toList();
    List<ProxyRoute> proxyRoutes = state.proxyRoutes().stream().filter(inPart).toList();
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
   * The previous result with the part's hosts replaced (null if it cannot be assembled): clusters, certificates and blobs are what
   * the merged hosts use (the part's own when it has them), statuses those of the objects outside
   * the part plus the part's.
   */
  private static CompileResult merge(
      CompileResult previous, CompileResult part, Set<String> hosts, Set<String> keys) {
    Snapshot old = previous.snapshot();
    Snapshot fresh = part.snapshot();
    List<VirtualHost> vhosts = new ArrayList<>(old.virtualHosts().size() + fresh.virtualHosts().size());
    for (VirtualHost v : old.virtualHosts()) {
      if (!hosts.contains(v.host())) {
        vhosts.add(v);
      }
    }
    vhosts.addAll(fresh.virtualHosts());

    // What the merged hosts use, collected in hash sets and then picked in the previous result's
    // order: no sorted sets or by-name maps of everything (this merge runs per change).
    Set<String> clusterNames = new HashSet<>();
    Set<String> certificateNames = new HashSet<>();
    Set<String> digests = new HashSet<>();
    boolean anyBlobs = !old.blobs().isEmpty() || !fresh.blobs().isEmpty();
    for (VirtualHost v : vhosts) {
      if (v.tls() != null && v.tls().certificate() != null) {
        certificateNames.add(v.tls().certificate());
      }
      for (Route route : v.routes()) {
        clusterNames.addAll(route.action().clusterNames());
        if (anyBlobs && route.action() instanceof RouteAction.Static s
            && s.source() instanceof StaticSource.Files files) {
          files.files().forEach((StaticFile f) -> digests.add(f.digest()));
        }
      }
    }
    if (old.defaultCluster() != null) {
      clusterNames.add(old.defaultCluster());
    }
    if (old.defaultCertificate() != null) {
      certificateNames.add(old.defaultCertificate());
    }
    List<Cluster> clusters = pick(clusterNames, fresh.clusters(), old.clusters(), Cluster::name);
    List<TlsCertificate> certificates = pick(
        certificateNames, fresh.certificates(), old.certificates(), TlsCertificate::name);
    List<StaticBlob> blobs = anyBlobs
        ? pick(digests, fresh.blobs(), old.blobs(), StaticBlob::digest) : List.of();
    if (clusters == null || certificates == null || blobs == null) {
      return null; // something the merged hosts use is in neither result: never expected
    }
    Snapshot snapshot = Snapshot.of(vhosts, clusters, old.defaultCluster(), certificates,
        old.defaultCertificate(), blobs);

    Set<String> replaced = new HashSet<>(keys);
    part.statuses().forEach(s -> replaced.add(key(s)));
    List<ObjectStatus> kept = new ArrayList<>(previous.statuses().size());
    for (ObjectStatus s : previous.statuses()) {
      if (!replaced.contains(key(s))) {
        kept.add(s);
      }
    }
    List<ObjectStatus> recompiled = new ArrayList<>(part.statuses());
    recompiled.sort(STATUS_ORDER);
    return new CompileResult(snapshot, mergeSorted(kept, recompiled));
  }

  /** The order of a compile's statuses (see {@link StatusCollector}). */
  private static final Comparator<ObjectStatus> STATUS_ORDER =
      Comparator.comparing((ObjectStatus s) -> s.object().kind())
          .thenComparing(s -> s.object().namespace())
          .thenComparing(s -> s.object().name());

  /** Two lists sorted by {@link #STATUS_ORDER} as one, in one walk instead of a sort of all. */
  private static List<ObjectStatus> mergeSorted(List<ObjectStatus> a, List<ObjectStatus> b) {
    List<ObjectStatus> out = new ArrayList<>(a.size() + b.size());
    int i = 0;
    int j = 0;
    while (i < a.size() || j < b.size()) {
      if (j == b.size() || (i < a.size() && STATUS_ORDER.compare(a.get(i), b.get(j)) <= 0)) {
        out.add(a.get(i++));
      } else {
        out.add(b.get(j++));
      }
    }
    return out;
  }

  private static String key(ObjectStatus status) {
    ObjectRef ref = status.object();
    return HostFootprints.key(ref.kind(), ref.namespace(), ref.name());
  }

  /**
   * Every part named in {@code names}, the part's own version when it has one, else the previous
   * result's; null when a name is in neither. Both lists are sorted by name, and so is the result
   * (one merge walk; the snapshot then keeps it as it is).
   */
  private static <T> List<T> pick(Set<String> names, List<T> first, List<T> second,
      java.util.function.Function<T, String> name) {
    List<T> out = new ArrayList<>(names.size());
    int i = 0;
    int j = 0;
    while (i < first.size() || j < second.size()) {
      int order = i == first.size() ? 1
          : j == second.size() ? -1
          : name.apply(first.get(i)).compareTo(name.apply(second.get(j)));
      T value = order <= 0 ? first.get(i) : second.get(j);
      if (order <= 0) {
        i++;
      }
      if (order >= 0) {
        j++;
      }
      if (names.contains(name.apply(value))) {
        out.add(value);
      }
    }
    return out.size() == names.size() ? out : null;
  }

}
