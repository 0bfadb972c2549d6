package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Watches only the ConfigMaps that ProxyRoutes name for static content: one informer per named
 * ConfigMap, narrowed on the server by {@code metadata.name}, started when a route first names it
 * and closed when none does any more. A cluster's other ConfigMaps (every namespace has one, Helm
 * and controllers keep many) never reach the operator's memory, and there is no cluster-wide
 * ConfigMap list to authorise or hold.
 */
final class ReferencedConfigMaps implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReferencedConfigMaps.class);

  private final KubernetesClient client;
  private final Duration resync;
  private final ResourceEventHandler<ConfigMap> handler;
  private final Consumer<ConfigMap> forget;
  private final Map<String, SharedIndexInformer<ConfigMap>> informers = new HashMap<>();

  /**
   * @param handler receives the watched ConfigMaps' events (mirror them into the cache)
   * @param forget called with a name-only ConfigMap when nothing names it any more
   */
  ReferencedConfigMaps(KubernetesClient client, Duration resync,
      ResourceEventHandler<ConfigMap> handler, Consumer<ConfigMap> forget) {
    this.client = client;
    this.resync = resync;
    this.handler = handler;
    this.forget = forget;
  }

  /** {@code namespace/name} of every ConfigMap a route of {@code routes} serves files from. */
  static Set<String> referenced(List<ProxyRoute> routes) {
    Set<String> names = new TreeSet<>();
    for (ProxyRoute route : routes) {
      ProxyRouteSpec spec = route.getSpec();
      if (spec == null || spec.routes == null) {
        continue;
      }
      for (ProxyRouteSpec.RouteSpec r : spec.routes) {
        if (r != null && r.staticContent != null && r.staticContent.configMap != null
            && !r.staticContent.configMap.isEmpty()) {
          names.add(route.getMetadata().getNamespace() + "/" + r.staticContent.configMap);
        }
      }
    }
    return names;
  }

  /**
   * Watches exactly the ConfigMaps {@code routes} name. Returns when the new informers have
   * started (their first list may still be under way: the futures say when it is done).
   */
  synchronized List<CompletableFuture<Void>> update(List<ProxyRoute> routes) {
    Set<String> wanted = referenced(routes);
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (String key : wanted) {
      if (informers.containsKey(key)) {
        continue;
      }
      int slash = key.indexOf('/');
      String namespace = key.substring(0, slash);
      String name = key.substring(slash + 1);
      SharedIndexInformer<ConfigMap> informer = client.configMaps().inNamespace(namespace)
          .withName(name).runnableInformer(resync.toMillis());
      informer.addEventHandler(new OnlyNamed(name, handler));
      informers.put(key, informer);
      started.add(informer.start().toCompletableFuture().thenApply(s -> null));
      LOG.debug("watching ConfigMap {} for static content", key);
    }
    for (var it = informers.entrySet().iterator(); it.hasNext(); ) {
      var e = it.next();
      if (!wanted.contains(e.getKey())) {
        e.getValue().close();
        it.remove();
        int slash = e.getKey().indexOf('/');
        forget.accept(new ConfigMapBuilder().withNewMetadata()
            .withNamespace(e.getKey().substring(0, slash))
            .withName(e.getKey().substring(slash + 1))
            .endMetadata().build());
        LOG.debug("no route names ConfigMap {} any more", e.getKey());
      }
    }
    return started;
  }

  /** How many ConfigMaps are watched. */
  synchronized int watched() {
    return informers.size();
  }

  @Override
  public synchronized void close() {
    informers.values().forEach(SharedIndexInformer::close);
    informers.clear();
  }

  /** The server narrows by name; this keeps it so where a server does not (the mock server). */
  private record OnlyNamed(String name, ResourceEventHandler<ConfigMap> next)
      implements ResourceEventHandler<ConfigMap> {
    @Override
    public void onAdd(ConfigMap obj) {
      if (name.equals(obj.getMetadata().getName())) {
        next.onAdd(obj);
      }
    }

    @Override
    public void onUpdate(ConfigMap oldObj, ConfigMap newObj) {
      if (name.equals(newObj.getMetadata().getName())) {
        next.onUpdate(oldObj, newObj);
      }
    }

    @Override
    public void onDelete(ConfigMap obj, boolean deletedFinalStateUnknown) {
      if (name.equals(obj.getMetadata().getName())) {
        next.onDelete(obj, deletedFinalStateUnknown);
      }
    }
  }
}
