package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.Patch;
import io.portcullis.snapshot.Snapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * The compiler with two cheaper paths than a full compile. First, endpoint churn (Contour's
 * "endpoints only" path). When the
 * only difference from the previous state is in EndpointSlices, only the clusters of the Services
 * whose slices changed get new endpoint lists; routes, TLS and statuses are reused. The stream
 * then carries a delta with just those cluster upserts.
 *
 * <p>The cheap result is exactly what a full compile would give: it falls back to one whenever
 * that could differ, namely when anything but slices changed, when a cluster gains its first or
 * loses its last ready endpoint (its ResolvedRefs condition changes), when an object in the
 * Service's namespace has a rule the snapshot does not carry (a conflict loser: its ResolvedRefs
 * condition still follows its backends), or when a certificate judged valid by an earlier compile
 * has expired since (expiry is judged at compile time, and is the only thing time changes).
 *
 * <p>Second, any other change recompiles only the virtual hosts it can reach ({@link
 * PartialCompile}: the changed objects, the objects sharing a host with them, and those in a
 * namespace whose Services, slices, Secrets or ConfigMaps changed) and merges them into the
 * previous result, again exactly what a full compile gives. IngressClass changes, the default
 * backend and certificate, a part over a quarter of all objects, and an expiry passed take a full
 * compile. (A full compile every minute, as before, cost each change after a quiet minute a full
 * compile: 0.5 s at 10,000 Ingresses, the tail of "write to every dataplane applied".) The memo of
 * parsed certificates keeps what partial compiles add until the next full one; a replaced
 * certificate's entry goes then, at the latest when it expires. Not thread-safe: the rebuild loop
 * is its only caller.
 */
public final class IncrementalCompiler implements Function<ClusterState, CompileResult> {
  private final Compiler compiler;
  private final AtomicLong fullCompiles = new AtomicLong();
  private final AtomicLong endpointUpdates = new AtomicLong();
  private final AtomicLong partialCompiles = new AtomicLong();
  private final PartialCompile partial;
  private final HostFootprints footprints = new HostFootprints();
  private ClusterState lastState;
  private CompileResult lastResult;
  /** The time the last full or partial compile judged certificates at. */
  private Instant judgedAt;
  /**
   * The earliest expiry of a certificate judged valid at {@link #judgedAt} (null: none): the cheap
   * paths reuse those judgements until then.
   */
  private Instant judgedUntil;

  public IncrementalCompiler(Compiler compiler) {
    this.compiler = Objects.requireNonNull(compiler, "compiler");
    this.partial = new PartialCompile(compiler, compiler.settings());
  }

  @Override
  public CompileResult apply(ClusterState state) {
    CompileResult cheap = lastState == null ? null : endpointsOnly(state);
    PartialCompile.Outcome part = null;
    if (cheap != null) {
      endpointUpdates.incrementAndGet();
    } else if ((part = partOnly(state)) != null) {
      cheap = part.result();
      footprints.relearn(part.objectKeys(), part.part());
      partialCompiles.incrementAndGet();
      judged(state.now());
    } else {
      cheap = compiler.compile(state);
      footprints.learnAll(cheap);
      footprints.indexAll(state);
      fullCompiles.incrementAndGet();
      judged(state.now());
    }
    lastState = state;
    lastResult = cheap;
    return cheap;
  }

  /** Compiles that ran every pass. */
  public long fullCompiles() {
    return fullCompiles.get();
  }

  /** Compiles of only the virtual hosts a change reaches. */
  public long partialCompiles() {
    return partialCompiles.get();
  }

  /** Compiles that only refreshed the endpoints of changed Services. */
  public long endpointUpdates() {
    return endpointUpdates.get();
  }

  private CompileResult endpointsOnly(ClusterState state) {
    if (tooOld(state.now())
        || !same(lastState.ingressClasses(), state.ingressClasses())
        || !same(lastState.ingresses(), state.ingresses())
        || !same(lastState.proxyRoutes(), state.proxyRoutes())
        || !same(lastState.services(), state.services())
        || !same(lastState.secrets(), state.secrets())
        || !same(lastState.configMaps(), state.configMaps())) {
      return null;
    }
    Set<String> changed = changedServices(lastState.endpointSlices(), state.endpointSlices());
    if (changed.isEmpty()) {
      return null; // nothing changed at all: a periodic recompile, which must be a full one
    }
    if (hasRejectedRules(changed)) {
      return null;
    }
    Snapshot previous = lastResult.snapshot();
    // Only the changed Services' namespaces are resolved (references stay in a namespace), and
    // their clusters are found by binary search: nothing here reads every Service or cluster.
    Set<String> namespaces = new HashSet<>();
    changed.forEach(s -> namespaces.add(s.substring(0, Math.max(0, s.indexOf('/')))));
    BackendResolver resolver = new BackendResolver(
        state.services().stream().filter(o -> namespaces.contains(StateChanges.namespace(o))).toList(),
        state.endpointSlices().stream().filter(o -> namespaces.contains(StateChanges.namespace(o))).toList());
    List<Cluster> clusters = new ArrayList<>();
    for (Cluster cluster : clustersOf(previous.clusters(), changed)) {
      List<Endpoint> endpoints = resolver.endpointsOf(cluster.name());
      if (endpoints == null || hasReady(endpoints) != hasReady(cluster.endpoints())) {
        return null;
      }
      clusters.add(cluster.withEndpoints(endpoints));
    }
    // Only the changed clusters are checked and hashed anew (Snapshot.patch).
    Snapshot snapshot = previous.patch(new Patch(List.of(), List.of(), clusters, List.of(),
        List.of(), previous.defaultCluster(), List.of(), List.of(), List.of(),
        previous.defaultCertificate(), List.of(), List.of(), List.of()));
    return new CompileResult(snapshot, lastResult.statuses());
  }

  private PartialCompile.Outcome partOnly(ClusterState state) {
    if (lastState == null || tooOld(state.now())) {
      return null;
    }
    StateChanges changes = StateChanges.between(lastState, state).orElse(null);
    if (changes == null || changes.isEmpty()) {
      return null; // a periodic recompile, which must be a full one
    }
    return partial.compile(state, lastResult, changes, footprints);
  }

  /**
   * Whether an object in the namespace of a changed Service has a rule that is not in the
   * snapshot (it lost a conflict, say). Its backends' readiness still shows in its ResolvedRefs
   * condition, but no cluster of the snapshot tells whether that changed: only a compile can.
   */
  private boolean hasRejectedRules(Set<String> changedServices) {
    Set<String> namespaces = new HashSet<>();
    changedServices.forEach(s -> namespaces.add(s.substring(0, Math.max(0, s.indexOf('/')))));
    for (ObjectStatus status : lastResult.statuses()) {
      if (namespaces.contains(status.object().namespace())
          && status.conditions().stream().anyMatch(
              c -> c.type().equals(Reasons.ACCEPTED) && !c.status())) {
        return true;
      }
    }
    return false;
  }

  /**
   * After a full compile, or a partial one that the expiry rule let through: every remembered
   * certificate that expired before {@code now} was judged expired (by this compile or an earlier
   * one), so the next expiry to watch is the earliest among those still valid at {@code now}.
   */
  private void judged(Instant now) {
    judgedAt = now;
    judgedUntil = now == null ? null : compiler.nextExpiry(now);
  }

  /** Whether a judgement of the last compiles may no longer hold at {@code now}: take a full compile. */
  private boolean tooOld(Instant now) {
    if (now == null || judgedAt == null) {
      return now != judgedAt;
    }
    return judgedUntil != null && now.isAfter(judgedUntil);
  }

  /**
   * The clusters of these Services ({@code ns/svc}): those named {@code ns/svc:...}, a run of
   * the sorted cluster list found by binary search.
   */
  private static List<Cluster> clustersOf(List<Cluster> sorted, Set<String> services) {
    List<Cluster> out = new ArrayList<>();
    for (String service : services) {
      String prefix = service + ":";
      int low = 0;
      int high = sorted.size();
      while (low < high) {
        int mid = (low + high) >>> 1;
        if (sorted.get(mid).name().compareTo(prefix) < 0) {
          low = mid + 1;
        } else {
          high = mid;
        }
      }
      for (int i = low; i < sorted.size() && sorted.get(i).name().startsWith(prefix); i++) {
        out.add(sorted.get(i));
      }
    }
    return out;
  }

  private static boolean hasReady(List<Endpoint> endpoints) {
    return endpoints.stream().anyMatch(e -> !e.terminating());
  }

  /** Services ({@code ns/svc}) whose slices differ between the two lists. */
  private static Set<String> changedServices(List<EndpointSlice> before, List<EndpointSlice> after) {
    Set<String> updated = updatedInPlace(before, after);
    return updated != null ? updated : changedServicesByMap(before, after);
  }

  /**
   * The common case, one slice updated: the same slices at the same positions, only some of them
   * new objects. Walks both lists once by identity (the cache hands out the same instance for an
   * unchanged object) instead of grouping every slice by Service, which was most of an
   * endpoint-only compile at 10,000 Services. Null when slices were added, removed or reordered.
   */
  private static Set<String> updatedInPlace(List<EndpointSlice> before, List<EndpointSlice> after) {
    if (before.size() != after.size()) {
      return null;
    }
    Set<String> changed = new HashSet<>();
    for (int i = 0; i < before.size(); i++) {
      EndpointSlice a = before.get(i);
      EndpointSlice b = after.get(i);
      if (a == b) {
        continue;
      }
      if (!Objects.equals(a.getMetadata().getNamespace(), b.getMetadata().getNamespace())
          || !Objects.equals(a.getMetadata().getName(), b.getMetadata().getName())) {
        return null;
      }
      if (!a.equals(b)) {
        changed.add(serviceOf(a));
        changed.add(serviceOf(b));
      }
    }
    return changed;
  }

  private static String serviceOf(EndpointSlice slice) {
    Map<String, String> labels = slice.getMetadata().getLabels();
    String service = labels == null ? null : labels.get(BackendResolver.SERVICE_NAME_LABEL);
    return slice.getMetadata().getNamespace() + "/" + service;
  }

  private static Set<String> changedServicesByMap(List<EndpointSlice> before, List<EndpointSlice> after) {
    Map<String, List<EndpointSlice>> a = byService(before);
    Map<String, List<EndpointSlice>> b = byService(after);
    Set<String> changed = new HashSet<>();
    Set<String> keys = new HashSet<>(a.keySet());
    keys.addAll(b.keySet());
    for (String key : keys) {
      if (!same(a.getOrDefault(key, List.of()), b.getOrDefault(key, List.of()))) {
        changed.add(key);
      }
    }
    return changed;
  }

  private static Map<String, List<EndpointSlice>> byService(List<EndpointSlice> slices) {
    Map<String, List<EndpointSlice>> out = new HashMap<>();
    for (EndpointSlice slice : slices) {
      out.computeIfAbsent(serviceOf(slice), k -> new ArrayList<>()).add(slice);
    }
    return out;
  }

  /** Element-wise: the cache hands out the same instance for an unchanged object, so == is usual. */
  private static boolean same(List<? extends HasMetadata> a, List<? extends HasMetadata> b) {
    if (a == b) {
      return true; // the cache hands out the same list while a kind is unchanged
    }
    if (a.size() != b.size()) {
      return false;
    }
    for (int i = 0; i < a.size(); i++) {
      if (a.get(i) != b.get(i) && !a.get(i).equals(b.get(i))) {
        return false;
      }
    }
    return true;
  }
}
