package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.ConfigMap;
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
 * @param configMaps the ConfigMaps routes serve static content from (sources load only those)
 */
public record ClusterState(
    List<IngressClass> ingressClasses,
    List<Ingress> ingresses,
    List<ProxyRoute> proxyRoutes,
    List<Service> services,
    List<EndpointSlice> endpointSlices,
    List<Secret> secrets,
    Instant now,
    List<ConfigMap> configMaps) {

  /** A state without ConfigMaps. */
  public ClusterState(
      List<IngressClass> ingressClasses,
      List<Ingress> ingresses,
      List<ProxyRoute> proxyRoutes,
      List<Service> services,
      List<EndpointSlice> endpointSlices,
      List<Secret> secrets,
      Instant now) {
    this(ingressClasses, ingresses, proxyRoutes, services, endpointSlices, secrets, now, List.of());
  }

  /** A state without a time: certificate expiry is not checked. */
  public ClusterState(
      List<IngressClass> ingressClasses,
      List<Ingress> ingresses,
      List<ProxyRoute> proxyRoutes,
      List<Service> services,
      List<EndpointSlice> endpointSlices,
      List<Secret> secrets) {
    this(ingressClasses, ingresses, proxyRoutes, services, endpointSlices, secrets, null, List.of());
  }

  public ClusterState withNow(Instant time) {
    return new ClusterState(
        ingressClasses, ingresses, proxyRoutes, services, endpointSlices, secrets, time, configMaps);
  }

  public ClusterState {
    ingressClasses = List.copyOf(ingressClasses);
    ingresses = List.copyOf(ingresses);
    proxyRoutes = List.copyOf(proxyRoutes);
    services = List.copyOf(services);
    endpointSlices = List.copyOf(endpointSlices);
    secrets = List.copyOf(secrets);
    configMaps = configMaps == null ? List.of() : List.copyOf(configMaps);
  }

  public static ClusterState empty() {
    return new ClusterState(List.of(), List.of(), List.of(), List.of(), List.of(), List.of());
  }
}
