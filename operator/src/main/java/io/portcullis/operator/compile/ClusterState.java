package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.portcullis.operator.crd.ProxyRoute;
import java.time.Instant;
import java.util.List;

/**
 * An immutable view of everything the compiler reads. Sources (informers or a manifests directory)
 * fill it; core/v1 Endpoints are converted to EndpointSlices before they get here, so the
 * compiler sees one shape whatever {@code --endpoints-source} says. Objects outside the watched
 * namespaces never get here either.
 *
 * @param now the time certificates are checked against (expiry); the compiler reads no clock, so
 *     the source stamps the state when it takes it. Null skips the expiry check.
 */
public record ClusterState(
    List<IngressClass> ingressClasses,
    List<Ingress> ingresses,
    List<ProxyRoute> proxyRoutes,
    List<Service> services,
    List<EndpointSlice> endpointSlices,
    List<Secret> secrets,
    Instant now) {

  /** A state without a time: certificate expiry is not checked. */
  public ClusterState(
      List<IngressClass> ingressClasses,
      List<Ingress> ingresses,
      List<ProxyRoute> proxyRoutes,
      List<Service> services,
      List<EndpointSlice> endpointSlices,
      List<Secret> secrets) {
    this(ingressClasses, ingresses, proxyRoutes, services, endpointSlices, secrets, null);
  }

  public ClusterState withNow(Instant time) {
    return new ClusterState(
        ingressClasses, ingresses, proxyRoutes, services, endpointSlices, secrets, time);
  }

  public ClusterState {
    ingressClasses = List.copyOf(ingressClasses);
    ingresses = List.copyOf(ingresses);
    proxyRoutes = List.copyOf(proxyRoutes);
    services = List.copyOf(services);
    endpointSlices = List.copyOf(endpointSlices);
    secrets = List.copyOf(secrets);
  }

  public static ClusterState empty() {
    return new ClusterState(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }
}
