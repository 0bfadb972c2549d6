package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import java.util.List;

/**
 * Picks the cluster for requests no route matches: the {@code spec.defaultBackend} of the oldest
 * Ingress of ours that has a usable one, else {@code --default-backend}, else none (404). Newer
 * Ingresses whose default backend is not used are told so, since there is only one per cluster.
 */
final class DefaultBackendPass {
  private final BackendResolver backends;
  private final StatusCollector status;

  DefaultBackendPass(BackendResolver backends, StatusCollector status) {
    this.backends = backends;
    this.status = status;
  }

  /** Returns the default cluster's name, or null for a plain 404. */
  String run(List<Ingress> ours, ServiceRef fallback) {
    List<Ingress> withDefault = ObjectAge.oldestFirst(
        ours.stream()
            .filter(i -> i.getSpec() != null && i.getSpec().getDefaultBackend() != null)
            .toList());
    String chosen = null;
    ObjectRef chosenBy = null;
    for (Ingress ingress : withDefault) {
      ObjectRef ref = ObjectAge.ref(IngressPass.KIND, ingress);
      if (chosen != null) {
        status.event(ref, false, Reasons.DEFAULT_BACKEND_IGNORED,
            "defaultBackend not used: the older " + chosenBy + " provides the default backend");
        continue;
      }
      chosen = resolve(ref, ingress.getSpec().getDefaultBackend());
      chosenBy = chosen == null ? null : ref;
    }
    if (chosen == null && fallback != null) {
      chosen = backends.resolve(fallback.namespace(), fallback.name(), fallback.port()).cluster();
    }
    return chosen;
  }

  private String resolve(ObjectRef ref, IngressBackend backend) {
    if (backend.getService() == null) {
      status.event(ref, true, Reasons.UNSUPPORTED_BACKEND,
          "defaultBackend: resource backends are not supported, only Services; it is ignored");
      return null;
    }
    ServiceBackendPort port = backend.getService().getPort();
    String portText =
        port == null ? null
            : port.getNumber() != null && port.getNumber() > 0 ? port.getNumber().toString()
            : port.getName();
    String name = backend.getService().getName();
    if (name == null || name.isEmpty() || portText == null || portText.isEmpty()) {
      status.event(ref, true, Reasons.INVALID_ROUTE,
          "defaultBackend needs a Service name and port; it is ignored");
      return null;
    }
    BackendResolver.Resolution resolution = backends.resolve(ref.namespace(), name, portText);
    if (!resolution.ok()) {
      status.unresolved(ref, resolution.reason(), "defaultBackend: " + resolution.message());
    }
    return resolution.cluster();
  }
}
