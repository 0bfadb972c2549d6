package io.portcullis.operator.rbac;

import io.fabric8.kubernetes.api.model.EndpointsBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.util.List;
import java.util.Map;

/** The objects a user applies in the mock-API-server tests, built the same way everywhere. */
public final class ClusterObjects {
  private ClusterObjects() {}

  /** Our IngressClass {@code portcullis}, the cluster's default. */
  public static HasMetadata ingressClass() {
    return new IngressClassBuilder()
        .withNewMetadata()
        .withName("portcullis")
        .addToAnnotations("ingressclass.kubernetes.io/is-default-class", "true")
        .endMetadata()
        .withNewSpec()
        .withController("portcullis.io/ingress-controller")
        .endSpec()
        .build();
  }

  /** A Service with one port {@code http} 80 forwarding to {@code targetPort}. */
  public static Service service(String namespace, String name, int targetPort) {
    return new ServiceBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withNewSpec()
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(targetPort)).endPort()
        .endSpec()
        .build();
  }

  /** The EndpointSlice of {@code service}: one endpoint 127.0.0.1:{@code port}. */
  public static HasMetadata endpointSlice(String namespace, String service, int port, boolean ready) {
    return new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(namespace)
        .withName(service + "-abc")
        .addToLabels("kubernetes.io/service-name", service)
        .endMetadata()
        .withAddressType("IPv4")
        .addNewEndpoint().withAddresses("127.0.0.1").withNewConditions().withReady(ready).endConditions().endEndpoint()
        .addNewPort().withName("http").withPort(port).withProtocol("TCP").endPort()
        .build();
  }

  /** The core/v1 Endpoints of {@code service}: 127.0.0.1:{@code port}, ready or not. */
  public static HasMetadata endpoints(String namespace, String service, int port, boolean ready) {
    EndpointsBuilder b = new EndpointsBuilder()
        .withNewMetadata().withNamespace(namespace).withName(service).endMetadata();
    var subset = b.addNewSubset();
    if (ready) {
      subset.addNewAddress().withIp("127.0.0.1").endAddress();
    } else {
      subset.addNewNotReadyAddress().withIp("127.0.0.1").endNotReadyAddress();
    }
    return subset.addNewPort().withName("http").withPort(port).withProtocol("TCP").endPort().endSubset().build();
  }

  /** Endpoints of the kind {@code endpointsSource} names ({@code endpointslices} or {@code endpoints}). */
  public static HasMetadata endpointsOf(String endpointsSource, String namespace, String service, int port, boolean ready) {
    return "endpoints".equals(endpointsSource)
        ? endpoints(namespace, service, port, ready)
        : endpointSlice(namespace, service, port, ready);
  }

  /** An Ingress routing {@code host}/ to {@code service}:80, with TLS from {@code tlsSecret} if not null. */
  public static Ingress ingress(String namespace, String name, String host, String service, String tlsSecret) {
    IngressBuilder b = new IngressBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata();
    var spec = b.withNewSpec();
    if (tlsSecret != null) {
      spec.addNewTl().withHosts(host).withSecretName(tlsSecret).endTl();
    }
    return spec
        .addNewRule()
        .withHost(host)
        .withNewHttp()
        .addNewPath()
        .withPath("/")
        .withPathType("Prefix")
        .withNewBackend().withNewService().withName(service).withNewPort().withNumber(80).endPort().endService().endBackend()
        .endPath()
        .endHttp()
        .endRule()
        .endSpec()
        .build();
  }

  /** A ProxyRoute for {@code host} with one route {@code /} to {@code service}:80. */
  public static ProxyRoute proxyRoute(String namespace, String name, String host, String service) {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).withGeneration(1L).build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.hosts = List.of(host);
    ProxyRouteSpec.RouteSpec r = new ProxyRouteSpec.RouteSpec();
    r.match = new ProxyRouteSpec.Match();
    r.match.path = new ProxyRouteSpec.PathMatch();
    r.match.path.prefix = "/";
    ProxyRouteSpec.Backend backend = new ProxyRouteSpec.Backend();
    backend.service = service;
    backend.port = 80;
    r.backends = List.of(backend);
    spec.routes = List.of(r);
    route.setSpec(spec);
    return route;
  }

  /** A Secret of {@code type} with {@code data} (values already base64). */
  public static Secret secret(String namespace, String name, String type, Map<String, String> data) {
    return new SecretBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name).endMetadata()
        .withType(type)
        .withData(data)
        .build();
  }

  /** Creates or replaces {@code object} with the user's client. */
  public static void apply(KubernetesClient client, HasMetadata object) {
    client.resource(object).createOr(existing -> existing.update());
  }
}
