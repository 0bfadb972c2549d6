package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.FilterWatchListDeletable;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cluster state from the API server through fabric8 informers: IngressClasses (cluster-scoped),
 * Ingresses, ProxyRoutes, Services, EndpointSlices (or core/v1 Endpoints) and TLS Secrets. Scoped to
 * a list of namespaces with one informer per namespace and kind, or to all namespaces.
 */
public final class KubernetesSource implements ClusterSource {
  private static final Logger LOG = LoggerFactory.getLogger(KubernetesSource.class);

  /** How often informers re-list from their own cache; updates it produces are dropped. */
  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(10);

  /** How long the initial list of every informer may take before start gives up. */
  public static final Duration DEFAULT_SYNC_TIMEOUT = Duration.ofMinutes(2);

  /** The type of Secret TLS settings name. */
  public static final String TLS_SECRET_TYPE = "kubernetes.io/tls";

  /** Which object carries endpoints ({@code --endpoints-source}). */
  public enum EndpointsKind {
    ENDPOINT_SLICES,
    ENDPOINTS
  }

  private final KubernetesClient client;
  private final List<String> namespaces;
  private final EndpointsKind endpointsKind;
  private final Duration resync;
  private final Duration syncTimeout;
  private final ResourceCache cache = new ResourceCache();
  private final List<SharedIndexInformer<?>> informers = new ArrayList<>();
  private final Map<SharedIndexInformer<?>, String> labels = new IdentityHashMap<>();
  private volatile boolean synced;
  private volatile Runnable onChange = () -> {};
  private final AtomicLong deliveries = new AtomicLong();
  private final NamedSecretLookups secretLookups;

  /** How often Secrets routes name but the TLS watch does not show are looked up again. */
  public static final Duration SECRET_RECHECK = Duration.ofSeconds(30);
  private final ReferencedConfigMaps configMaps;

  /**
   * @param namespaces the namespaces to watch; empty for all
   */
  public KubernetesSource(
      KubernetesClient client, List<String> namespaces, EndpointsKind endpointsKind) {
    this(client, namespaces, endpointsKind, DEFAULT_RESYNC, DEFAULT_SYNC_TIMEOUT);
  }

  public KubernetesSource(
      KubernetesClient client,
      List<String> namespaces,
      EndpointsKind endpointsKind,
      Duration resync,
      Duration syncTimeout) {
    this.client = client;
    this.namespaces = List.copyOf(namespaces);
    this.endpointsKind = endpointsKind;
    this.resync = resync;
    this.syncTimeout = syncTimeout;
    this.secretLookups =
        new NamedSecretLookups(client, cache, this::changed, SECRET_RECHECK, java.time.Clock.systemUTC());
    this.configMaps = new ReferencedConfigMaps(client, resync, new CacheUpdater<>(), cache::delete);
  }

  @Override
  public void start(Runnable listener) throws Exception {
    this.onChange = listener;
    List<CompletableFuture<Void>> started = new ArrayList<>();
    started.add(
        inform(
            client.resources(IngressClass.class).runnableInformer(resync.toMillis()),
            "IngressClass"));
    informNamespaced(Ingress.class, started);
    informNamespaced(ProxyRoute.class, started);
    informNamespaced(Service.class, started);
    informNamespaced(Secret.class, started);
    if (endpointsKind == EndpointsKind.ENDPOINTS) {
      informNamespaced(Endpoints.class, started);
    } else {
      informNamespaced(EndpointSlice.class, started);
    }
    try {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new))
          .get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
      copyListedObjects();
      CompletableFuture.allOf(configMaps.update(cache.list(ProxyRoute.class))
          .toArray(CompletableFuture[]::new)).get(syncTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      String waitingFor = unsynced();
      close();
      // Usually RBAC or a missing CRD: name what never listed so the fix is obvious.
      throw new IllegalStateException(
          "informers did not sync within " + syncTimeout.toSeconds() + "s: " + waitingFor, e);
    } catch (ExecutionException e) {
      String waitingFor = unsynced();
      close();
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(
          "cannot list " + waitingFor + ": " + cause.getMessage(), cause);
    } catch (Exception e) {
      close();
      throw e;
    }
    synced = true;
    secretLookups.start();
    secretLookups.routesChanged();
    LOG.info(
        "kubernetes source synced: {} informers, namespaces {}",
        informers.size(),
        namespaces.isEmpty() ? "all" : String.join(",", namespaces));
    listener.run();
  }

  /**
   * An informer's start completes once its list is in its own store, but it hands the listed
   * objects to our handler afterwards, on its own thread: without this copy the first compile could
   * see half of them (at 10,000 Ingresses it saw 4,148 Services without their EndpointSlices, and
   * the status writer sent a false NoReadyEndpoints warning for each). The handler's late adds
   * then change nothing (same resourceVersion); a newer version or a delete that follows in the
   * handler's order still wins.
   */
  private void copyListedObjects() {
    synchronized (informers) {
      for (SharedIndexInformer<?> informer : informers) {
        for (Object listed : informer.getStore().list()) {
          HasMetadata object = (HasMetadata) listed;
          if (wanted(object)) {
            cache.upsert(object);
          }
        }
      }
    }
  }

  private <T extends HasMetadata> void informNamespaced(
      Class<T> kind, List<CompletableFuture<Void>> started) {
    MixedOperation<T, KubernetesResourceList<T>, Resource<T>> op = client.resources(kind);
    if (namespaces.isEmpty()) {
      started.add(
          inform(
              narrow(kind, op.inAnyNamespace()).runnableInformer(resync.toMillis()),
              kind.getSimpleName() + " in all namespaces"));
    } else {
      for (String namespace : namespaces) {
        started.add(
            inform(
                narrow(kind, op.inNamespace(namespace)).runnableInformer(resync.toMillis()),
                kind.getSimpleName() + " in " + namespace));
      }
    }
  }

  /**
   * Only TLS Secrets can be referenced by routes: selecting them on the server keeps every other
   * Secret (service account tokens, Helm releases, credentials) out of the operator's memory.
   */
  private static <T extends HasMetadata> FilterWatchListDeletable<T, KubernetesResourceList<T>, Resource<T>> narrow(
      Class<T> kind, FilterWatchListDeletable<T, KubernetesResourceList<T>, Resource<T>> scope) {
    return kind == Secret.class ? scope.withField("type", TLS_SECRET_TYPE) : scope;
  }

  private <T extends HasMetadata> CompletableFuture<Void> inform(
      SharedIndexInformer<T> informer, String label) {
    // One slimmed copy of each object, shared by the informer's store and the cache.
    informer.itemStore(new SharedInstanceStore<>(cache));
    informer.addEventHandler(new CacheUpdater<>());
    synchronized (informers) {
      informers.add(informer);
      labels.put(informer, label);
    }
    return informer.start().toCompletableFuture();
  }

  private String unsynced() {
    List<String> waiting = new ArrayList<>();
    synchronized (informers) {
      for (SharedIndexInformer<?> informer : informers) {
        if (!informer.hasSynced()) {
          waiting.add(labels.get(informer));
        }
      }
    }
    return waiting.isEmpty() ? "none pending" : String.join(", ", waiting);
  }

  @Override
  public boolean synced() {
    return synced;
  }

  @Override
  public ClusterState state() {
    return cache.state();
  }

  @Override
  public void close() {
    secretLookups.close();
    configMaps.close();
    synchronized (informers) {
      informers.forEach(SharedIndexInformer::close);
      informers.clear();
      labels.clear();
    }
  }

  /** Informer callbacks received, changes or not; lets tests see that resyncs happened. */
  long deliveries() {
    return deliveries.get();
  }

  /** Something the compile reads changed: recompile (after sync; start() notifies once at the end). */
  private void changed() {
    if (synced) {
      onChange.run();
    }
  }

  /**
   * An object changed: a ProxyRoute may name other ConfigMaps (static sites), and Ingresses,
   * ProxyRoutes and Secrets decide which Secrets must be looked up by name.
   */
  private void changed(HasMetadata object) {
    if (synced && object instanceof ProxyRoute) {
      configMaps.update(cache.list(ProxyRoute.class));
    }
    if (synced && (object instanceof Ingress || object instanceof ProxyRoute || object instanceof Secret)) {
      secretLookups.routesChanged();
    }
    changed();
  }

  /**
   * The field selector already keeps other Secrets away on a real API server; checking again
   * here keeps them out where selectors are not honoured (the mock server ignores them). A
   * Secret of another type that a route names comes in through {@link NamedSecretLookups}.
   */
  private static boolean wanted(HasMetadata object) {
    return !(object instanceof Secret secret) || TLS_SECRET_TYPE.equals(secret.getType());
  }

  /**
   * True when an Ingress changed nothing the compiler reads: the same spec, generation, labels,
   * annotations and owners, so only its status (or bookkeeping such as managedFields) moved.
   * Those are mostly our own status writes coming back through the watch: 10,000 of them after a
   * start each woke the rebuild loop for a full compile with an identical result. The cache still
   * takes the new copy. (ProxyRoutes are left out: their spec classes compare by identity.)
   */
  static boolean onlyStatusChanged(HasMetadata before, HasMetadata after) {
    if (!(before instanceof Ingress b) || !(after instanceof Ingress a)) {
      return false;
    }
    var m1 = b.getMetadata();
    var m2 = a.getMetadata();
    return java.util.Objects.equals(b.getSpec(), a.getSpec())
        && java.util.Objects.equals(m1.getGeneration(), m2.getGeneration())
        && java.util.Objects.equals(m1.getLabels(), m2.getLabels())
        && java.util.Objects.equals(m1.getAnnotations(), m2.getAnnotations())
        && java.util.Objects.equals(m1.getDeletionTimestamp(), m2.getDeletionTimestamp())
        && java.util.Objects.equals(m1.getOwnerReferences(), m2.getOwnerReferences());
  }

  /** Mirrors informer events into the cache; a resync re-delivering the same version is dropped. */
  private final class CacheUpdater<T extends HasMetadata> implements ResourceEventHandler<T> {
    @Override
    public void onAdd(T object) {
      deliveries.incrementAndGet();
      if (wanted(object) && cache.upsert(object)) {
        changed(object);
      }
    }

    @Override
    public void onUpdate(T before, T after) {
      deliveries.incrementAndGet();
      // A Secret the watch should not have delivered is ignored, not deleted: the cache may hold
      // it from a lookup by name.
      if (wanted(after) && cache.upsert(after) && !onlyStatusChanged(before, after)) {
        changed(after);
      }
    }

    @Override
    public void onDelete(T object, boolean finalStateUnknown) {
      deliveries.incrementAndGet();
      if (wanted(object) && cache.delete(object)) {
        changed(object);
      }
    }
  }
}
