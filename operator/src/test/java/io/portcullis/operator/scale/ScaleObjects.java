package io.portcullis.operator.scale;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.portcullis.operator.compile.TestCertificates;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The objects of a scale run: {@code ingresses} Ingresses over namespaces of 100, each with its own
 * host, two paths (Prefix {@code /} and Exact {@code /healthz}) and its own Service whose
 * EndpointSlice holds {@code endpoints} ready endpoints. Every third Ingress terminates TLS with
 * its own Secret (a copy of its namespace's wildcard certificate); every fifth carries policy
 * annotations (balancer, timeouts, retries). {@code proxyRoutes} ProxyRoutes route hosts of their
 * own to the first Services of their namespace. Deterministic: the same sizes give the same objects.
 */
final class ScaleObjects {
  static final int PER_NAMESPACE = 100;

  final IngressClass ingressClass;
  final List<Ingress> ingresses = new ArrayList<>();
  final List<Service> services = new ArrayList<>();
  final List<EndpointSlice> slices = new ArrayList<>();
  final List<Secret> secrets = new ArrayList<>();
  final List<ProxyRoute> proxyRoutes = new ArrayList<>();
  /** Per namespace, the wildcard certificate its Secrets hold. */
  final List<TestCertificates.Issued> certificates = new ArrayList<>();
  /** Per namespace, a second certificate to rotate Secrets to. */
  final List<TestCertificates.Issued> rotated = new ArrayList<>();

  ScaleObjects(int ingressCount, int endpoints, int proxyRouteCount) {
    ingressClass = new IngressClassBuilder()
        .withNewMetadata()
        .withName("portcullis")
        .addToAnnotations("ingressclass.kubernetes.io/is-default-class", "true")
        .endMetadata()
        .withNewSpec().withController("portcullis.io/ingress-controller").endSpec()
        .build();
    TestCertificates.Issued cert = null;
    for (int i = 0; i < ingressCount; i++) {
      String ns = namespace(i);
      if (i % PER_NAMESPACE == 0) {
        cert = TestCertificates.issueNow("*." + ns + ".example.com");
        certificates.add(cert);
        rotated.add(TestCertificates.issueNow("*." + ns + ".example.com"));
      }
      String app = "app-" + i;
      services.add(service(ns, app));
      slices.add(slice(ns, app, i, endpoints, 0));
      String secret = null;
      if (i % 3 == 0) {
        secret = app + "-tls";
        secrets.add(TestCertificates.tlsSecret(ns, secret, cert));
      }
      ingresses.add(ingress(ns, app, host(i), secret, i % 5 == 0, "/"));
    }
    for (int r = 0; r < proxyRouteCount; r++) {
      int target = ingressCount == 0 ? 0 : (r * PER_NAMESPACE) % ingressCount;
      proxyRoutes.add(proxyRoute(namespace(target), "route-" + r,
          "route-" + r + "." + namespace(target) + ".example.com", "app-" + target));
    }
  }

  List<HasMetadata> all() {
    List<HasMetadata> all = new ArrayList<>();
    all.add(ingressClass);
    all.addAll(services);
    all.addAll(slices);
    all.addAll(secrets);
    all.addAll(ingresses);
    all.addAll(proxyRoutes);
    return all;
  }

  static String namespace(int ingress) {
    return "team-" + ingress / PER_NAMESPACE;
  }

  static String host(int ingress) {
    return "app-" + ingress + "." + namespace(ingress) + ".example.com";
  }

  static Service service(String ns, String name) {
    return new ServiceBuilder()
        .withNewMetadata().withNamespace(ns).withName(name).endMetadata()
        .withNewSpec()
        .addNewPort().withName("http").withPort(80).withTargetPort(new IntOrString(8080)).endPort()
        .endSpec()
        .build();
  }

  /** The slice of Service {@code name}; {@code generation} shifts the addresses (endpoint churn). */
  static EndpointSlice slice(String ns, String name, int index, int endpoints, int generation) {
    EndpointSliceBuilder b = new EndpointSliceBuilder()
        .withNewMetadata()
        .withNamespace(ns)
        .withName(name + "-abcde")
        .addToLabels("kubernetes.io/service-name", name)
        .endMetadata()
        .withAddressType("IPv4");
    for (int e = 0; e < endpoints; e++) {
      int n = index * 64 + e + generation * 7;
      String address = "10." + (n >> 16 & 0xff) + "." + (n >> 8 & 0xff) + "." + (n & 0xff);
      b.addNewEndpoint().withAddresses(address).withNewConditions().withReady(true).endConditions().endEndpoint();
    }
    return b.addNewPort().withName("http").withPort(8080).withProtocol("TCP").endPort().build();
  }

  /** An Ingress for {@code host}; {@code apiPath} is what a changed Ingress changes. */
  static Ingress ingress(String ns, String name, String host, String tlsSecret, boolean annotated,
      String apiPath) {
    IngressBuilder b = new IngressBuilder().withNewMetadata().withNamespace(ns).withName(name).endMetadata();
    if (annotated) {
      b.editMetadata()
          .addToAnnotations("portcullis.io/load-balancer", "least-request")
          .addToAnnotations("portcullis.io/request-timeout", "15s")
          .addToAnnotations("portcullis.io/retries", "2")
          .endMetadata();
    }
    var spec = b.withNewSpec();
    if (tlsSecret != null) {
      spec.addNewTl().withHosts(host).withSecretName(tlsSecret).endTl();
    }
    return spec.addNewRule().withHost(host).withNewHttp()
        .addNewPath().withPath(apiPath).withPathType("Prefix")
        .withNewBackend().withNewService().withName(name).withNewPort().withNumber(80).endPort().endService().endBackend()
        .endPath()
        .addNewPath().withPath("/healthz").withPathType("Exact")
        .withNewBackend().withNewService().withName(name).withNewPort().withName("http").endPort().endService().endBackend()
        .endPath()
        .endHttp().endRule().endSpec().build();
  }

  static ProxyRoute proxyRoute(String ns, String name, String host, String service) {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace(ns).withName(name).withGeneration(1L).build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.hosts = List.of(host);
    ProxyRouteSpec.RouteSpec r = new ProxyRouteSpec.RouteSpec();
    r.match = new ProxyRouteSpec.Match();
    r.match.path = new ProxyRouteSpec.PathMatch();
    r.match.path.prefix = "/v1";
    ProxyRouteSpec.Backend backend = new ProxyRouteSpec.Backend();
    backend.service = service;
    backend.port = 80;
    r.backends = List.of(backend);
    spec.routes = List.of(r);
    route.setSpec(spec);
    return route;
  }
}
