package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.crd.ProxyRoute;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The objects as they are now, by namespace and name, indexed on first use: most passes look up
 * none (what was written decides), the first after a start or a leadership change all of them.
 */
final class LiveObjects {
  private final ClusterState compiled;
  private final Supplier<ClusterState> live;
  private Map<String, Ingress> ingresses;
  private Map<String, ProxyRoute> proxyRoutes;

  /** @param live the objects as they are now, or null: the compiled state */
  LiveObjects(ClusterState compiled, Supplier<ClusterState> live) {
    this.compiled = compiled;
    this.live = live;
  }

  Ingress ingress(ObjectRef ref) {
    if (ingresses == null) {
      ingresses = new HashMap<>();
      for (Ingress ingress : (live != null ? live.get() : compiled).ingresses()) {
        ingresses.put(ingress.getMetadata().getNamespace() + "/" + ingress.getMetadata().getName(), ingress);
      }
    }
    return ingresses.get(ref.namespace() + "/" + ref.name());
  }

  ProxyRoute route(ObjectRef ref) {
    if (proxyRoutes == null) {
      proxyRoutes = new HashMap<>();
      for (ProxyRoute route : compiled.proxyRoutes()) {
        proxyRoutes.put(route.getMetadata().getNamespace() + "/" + route.getMetadata().getName(), route);
      }
    }
    return proxyRoutes.get(ref.namespace() + "/" + ref.name());
  }
}
