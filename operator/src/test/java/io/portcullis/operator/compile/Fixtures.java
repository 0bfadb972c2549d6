package io.portcullis.operator.compile;

import io.portcullis.operator.crd.FilterSpec;
import io.portcullis.operator.crd.ActionSpec;
import io.portcullis.operator.crd.PolicySpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServiceSpec;
import io.fabric8.kubernetes.api.model.TypedLocalObjectReference;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressRuleValue;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressSpec;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.api.model.networking.v1.ServiceBackendPort;
import io.portcullis.operator.compile.ObjectStatus.Condition;
import io.portcullis.operator.compile.ObjectStatus.Event;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Small builders so compiler tests read like the situation they describe:
 * {@code ingress("default", "shop").host("shop.example.com").prefix("/api", "api", 80)}.
 */
final class Fixtures {
  private Fixtures() {}

  static final String OLD = "2024-01-01T00:00:00Z";
  static final String NEW = "2025-01-01T00:00:00Z";

  // ---------------------------------------------------------------- objects

  static ObjectMeta meta(String namespace, String name) {
    ObjectMeta meta = new ObjectMeta();
    meta.setNamespace(namespace);
    meta.setName(name);
    meta.setGeneration(1L);
    meta.setUid("uid-" + namespace + "-" + name);
    meta.setCreationTimestamp("2024-06-01T00:00:00Z");
    return meta;
  }

  static IngressClass ingressClass(String name, String controller, boolean isDefault) {
    IngressClass c = new IngressClass();
    c.setMetadata(meta(null, name));
    if (isDefault) {
      c.getMetadata().setAnnotations(Map.of(ClassSelector.DEFAULT_CLASS_ANNOTATION, "true"));
    }
    c.setSpec(new IngressClassSpec(controller, null));
    return c;
  }

  static IngressClass ourClass() {
    return ingressClass("portcullis", CompilerSettings.CONTROLLER_NAME, false);
  }

  static IngressFixture ingress(String namespace, String name) {
    return new IngressFixture(namespace, name);
  }

  static final class IngressFixture {
    private final Ingress ingress = new Ingress();
    private IngressRule rule;

    IngressFixture(String namespace, String name) {
      ingress.setMetadata(meta(namespace, name));
      ingress.setSpec(new IngressSpec());
      ingress.getSpec().setIngressClassName("portcullis");
      ingress.getSpec().setRules(new ArrayList<>());
    }

    IngressFixture className(String className) {
      ingress.getSpec().setIngressClassName(className);
      return this;
    }

    IngressFixture annotation(String key, String value) {
      Map<String, String> a = ingress.getMetadata().getAnnotations() == null
          ? new HashMap<>() : new HashMap<>(ingress.getMetadata().getAnnotations());
      a.put(key, value);
      ingress.getMetadata().setAnnotations(a);
      return this;
    }

    IngressFixture useRegex() {
      return annotation(IngressPass.USE_REGEX_ANNOTATION, "true");
    }

    IngressFixture created(String timestamp) {
      ingress.getMetadata().setCreationTimestamp(timestamp);
      return this;
    }

    /** Starts a rule for {@code host} (null: a rule without host). */
    IngressFixture host(String host) {
      rule = new IngressRule(host, new HTTPIngressRuleValue(new ArrayList<>()));
      ingress.getSpec().getRules().add(rule);
      return this;
    }

    IngressFixture anyHost() {
      return host(null);
    }

    IngressFixture prefix(String path, String service, int port) {
      return path("Prefix", path, backend(service, port));
    }

    IngressFixture exact(String path, String service, int port) {
      return path("Exact", path, backend(service, port));
    }

    IngressFixture implementationSpecific(String path, String service, int port) {
      return path("ImplementationSpecific", path, backend(service, port));
    }

    IngressFixture prefixToPortName(String path, String service, String portName) {
      return path("Prefix", path, backend(service, portName));
    }

    IngressFixture path(String type, String path, IngressBackend backend) {
      if (rule == null) {
        anyHost();
      }
      rule.getHttp().getPaths().add(new HTTPIngressPath(backend, path, type));
      return this;
    }

    IngressFixture defaultBackend(String service, int port) {
      ingress.getSpec().setDefaultBackend(backend(service, port));
      return this;
    }

    IngressFixture resourceDefaultBackend() {
      ingress.getSpec().setDefaultBackend(resourceBackend());
      return this;
    }

    IngressFixture tls(String secretName, String... hosts) {
      if (ingress.getSpec().getTls() == null) {
        ingress.getSpec().setTls(new ArrayList<>());
      }
      ingress.getSpec().getTls().add(new IngressTLS(List.of(hosts), secretName));
      return this;
    }

    Ingress build() {
      return ingress;
    }
  }

  static IngressBackend backend(String service, int port) {
    return new IngressBackend(null, new IngressServiceBackend(service, new ServiceBackendPort(null, port)));
  }

  static IngressBackend backend(String service, String portName) {
    return new IngressBackend(null, new IngressServiceBackend(service, new ServiceBackendPort(portName, null)));
  }

  static IngressBackend resourceBackend() {
    return new IngressBackend(new TypedLocalObjectReference("example.com", "Bucket", "static"), null);
  }

  /** A Service with one unnamed port... or named ones via {@link ServiceFixture#port}. */
  static ServiceFixture service(String namespace, String name) {
    return new ServiceFixture(namespace, name);
  }

  static final class ServiceFixture {
    private final Service service = new Service();

    ServiceFixture(String namespace, String name) {
      service.setMetadata(meta(namespace, name));
      service.setSpec(new ServiceSpec());
      service.getSpec().setType("ClusterIP");
      service.getSpec().setPorts(new ArrayList<>());
    }

    ServiceFixture port(String portName, int port) {
      ServicePort p = new ServicePort();
      p.setName(portName);
      p.setPort(port);
      service.getSpec().getPorts().add(p);
      return this;
    }

    ServiceFixture externalName(String dnsName) {
      service.getSpec().setType("ExternalName");
      service.getSpec().setExternalName(dnsName);
      return this;
    }

    Service build() {
      return service;
    }
  }

  static SliceFixture slice(String namespace, String service) {
    return new SliceFixture(namespace, service);
  }

  static final class SliceFixture {
    private final EndpointSlice slice = new EndpointSlice();

    SliceFixture(String namespace, String service) {
      slice.setMetadata(meta(namespace, service + "-" + Integer.toHexString(System.identityHashCode(this))));
      slice.getMetadata().setLabels(Map.of(BackendResolver.SERVICE_NAME_LABEL, service));
      slice.setAddressType("IPv4");
      slice.setPorts(new ArrayList<>());
      slice.setEndpoints(new ArrayList<>());
    }

    SliceFixture port(String portName, int port) {
      EndpointPort p = new EndpointPort();
      p.setName(portName);
      p.setPort(port);
      p.setProtocol("TCP");
      slice.getPorts().add(p);
      return this;
    }

    SliceFixture ready(String... addresses) {
      return endpoint(new EndpointConditions(true, true, false), addresses);
    }

    SliceFixture readyUnset(String... addresses) {
      return endpoint(new EndpointConditions(null, null, null), addresses);
    }

    SliceFixture notReady(String... addresses) {
      return endpoint(new EndpointConditions(false, false, false), addresses);
    }

    /** Terminating but still reporting ready, as a pod in its grace period can. */
    SliceFixture terminating(String... addresses) {
      return endpoint(new EndpointConditions(true, true, true), addresses);
    }

    /** Terminating and still serving, as Kubernetes reports a pod in its grace period. */
    SliceFixture terminatingServing(String... addresses) {
      return endpoint(new EndpointConditions(false, true, true), addresses);
    }

    /** Terminating and no longer serving. */
    SliceFixture terminatingNotServing(String... addresses) {
      return endpoint(new EndpointConditions(false, false, true), addresses);
    }

    private SliceFixture endpoint(EndpointConditions conditions, String... addresses) {
      io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e =
          new io.fabric8.kubernetes.api.model.discovery.v1.Endpoint();
      e.setAddresses(List.of(addresses));
      e.setConditions(conditions);
      slice.getEndpoints().add(e);
      return this;
    }

    EndpointSlice build() {
      return slice;
    }
  }

  /** Service {@code ns/name} with unnamed port {@code port} and ready endpoints on 8080. */
  static List<HasMetadata> backendWithEndpoints(String ns, String name, int port, String... addresses) {
    return List.of(
        service(ns, name).port(null, port).build(),
        slice(ns, name).port(null, 8080).ready(addresses).build());
  }

  static Secret secret(String namespace, String name, String type) {
    Secret s = new Secret();
    s.setMetadata(meta(namespace, name));
    s.setType(type);
    return s;
  }

  // ---------------------------------------------------------------- ProxyRoutes

  static ProxyRouteFixture proxyRoute(String namespace, String name) {
    return new ProxyRouteFixture(namespace, name);
  }

  static final class ProxyRouteFixture {
    private final ProxyRoute route = new ProxyRoute();

    ProxyRouteFixture(String namespace, String name) {
      route.setMetadata(meta(namespace, name));
      route.setSpec(new ProxyRouteSpec());
    }

    ProxyRouteFixture className(String className) {
      route.getSpec().ingressClassName = className;
      return this;
    }

    ProxyRouteFixture created(String timestamp) {
      route.getMetadata().setCreationTimestamp(timestamp);
      return this;
    }

    ProxyRouteFixture hosts(String... hosts) {
      route.getSpec().hosts = new ArrayList<>(List.of(hosts));
      return this;
    }

    ProxyRouteFixture tls(String secretName) {
      route.getSpec().tls = new ProxyRouteSpec.Tls();
      route.getSpec().tls.secretName = secretName;
      return this;
    }

    ProxyRouteFixture route(RouteFixture r) {
      route.getSpec().routes.add(r.spec);
      return this;
    }

    ProxyRouteFixture cors(FilterSpec.Cors cors) {
      route.getSpec().cors = cors;
      return this;
    }

    ProxyRoute build() {
      return route;
    }
  }

  static FilterSpec.Cors cors(boolean credentials, String... origins) {
    FilterSpec.Cors cors = new FilterSpec.Cors();
    cors.allowOrigins = new ArrayList<>(List.of(origins));
    cors.allowCredentials = credentials;
    return cors;
  }

  static RouteFixture route() {
    return new RouteFixture();
  }

  static RouteFixture route(String name) {
    RouteFixture r = new RouteFixture();
    r.spec.name = name;
    return r;
  }

  static final class RouteFixture {
    final ProxyRouteSpec.RouteSpec spec = new ProxyRouteSpec.RouteSpec();

    private ProxyRouteSpec.Match match() {
      if (spec.match == null) {
        spec.match = new ProxyRouteSpec.Match();
      }
      return spec.match;
    }

    private ProxyRouteSpec.PathMatch path() {
      if (match().path == null) {
        match().path = new ProxyRouteSpec.PathMatch();
      }
      return match().path;
    }

    RouteFixture cors(FilterSpec.Cors cors) {
      spec.cors = cors;
      return this;
    }

    RouteFixture prefix(String prefix) {
      path().prefix = prefix;
      return this;
    }

    RouteFixture exact(String exact) {
      path().exact = exact;
      return this;
    }

    RouteFixture regex(String regex) {
      path().regex = regex;
      return this;
    }

    RouteFixture header(String name, String exact, String prefix, Boolean present) {
      if (match().headers == null) {
        match().headers = new ArrayList<>();
      }
      ProxyRouteSpec.HeaderMatch h = new ProxyRouteSpec.HeaderMatch();
      h.name = name;
      h.exact = exact;
      h.prefix = prefix;
      h.present = present;
      match().headers.add(h);
      return this;
    }

    RouteFixture headerExact(String name, String value) {
      return header(name, value, null, null);
    }

    RouteFixture headerPrefix(String name, String value) {
      return header(name, null, value, null);
    }

    RouteFixture headerPresent(String name) {
      return header(name, null, null, true);
    }

    RouteFixture methods(String... methods) {
      match().methods = List.of(methods);
      return this;
    }

    RouteFixture backend(String service, Integer port, Integer weight) {
      if (spec.backends == null) {
        spec.backends = new ArrayList<>();
      }
      ProxyRouteSpec.Backend b = new ProxyRouteSpec.Backend();
      b.service = service;
      b.port = port;
      b.weight = weight;
      spec.backends.add(b);
      return this;
    }

    RouteFixture to(String service, int port) {
      return backend(service, port, null);
    }

    RouteFixture requestTimeout(String duration) {
      spec.timeouts = new PolicySpec.Timeouts();
      spec.timeouts.request = duration;
      return this;
    }

    RouteFixture setRequestHeader(String name, String value) {
      if (spec.requestHeaders == null) {
        spec.requestHeaders = new ProxyRouteSpec.HeaderChanges();
      }
      spec.requestHeaders.set.put(name, value);
      return this;
    }

    RouteFixture removeRequestHeader(String name) {
      if (spec.requestHeaders == null) {
        spec.requestHeaders = new ProxyRouteSpec.HeaderChanges();
      }
      spec.requestHeaders.remove.add(name);
      return this;
    }

    RouteFixture setResponseHeader(String name, String value) {
      if (spec.responseHeaders == null) {
        spec.responseHeaders = new ProxyRouteSpec.HeaderChanges();
      }
      spec.responseHeaders.set.put(name, value);
      return this;
    }

    RouteFixture rewritePrefix(String prefix) {
      spec.rewrite = new ProxyRouteSpec.Rewrite();
      spec.rewrite.pathPrefix = prefix;
      return this;
    }

    RouteFixture redirect(String scheme, String host, Integer statusCode) {
      spec.redirect = new ActionSpec.Redirect();
      spec.redirect.scheme = scheme;
      spec.redirect.host = host;
      spec.redirect.statusCode = statusCode;
      return this;
    }

    RouteFixture directResponse(Integer status, String body) {
      spec.directResponse = new ActionSpec.DirectResponse();
      spec.directResponse.status = status;
      spec.directResponse.body = body;
      return this;
    }
  }

  // ---------------------------------------------------------------- compiling and looking

  /** Compiles the objects with default settings; adds our IngressClass unless one is given. */
  static Compiled compile(Object... objects) {
    return compile(CompilerSettings.defaults(), objects);
  }

  static Compiled compile(CompilerSettings settings, Object... objects) {
    return compileAt(null, settings, objects);
  }

  /** Compiles as of {@code now} (certificate expiry is judged against it; null skips that). */
  static Compiled compileAt(java.time.Instant now, CompilerSettings settings, Object... objects) {
    List<IngressClass> classes = new ArrayList<>();
    List<Ingress> ingresses = new ArrayList<>();
    List<ProxyRoute> routes = new ArrayList<>();
    List<Service> services = new ArrayList<>();
    List<EndpointSlice> slices = new ArrayList<>();
    List<Secret> secrets = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.ConfigMap> configMaps = new ArrayList<>();
    List<Object> flat = new ArrayList<>();
    flatten(List.of(objects), flat);
    for (Object o : flat) {
      Object built = o instanceof IngressFixture f1 ? f1.build()
          : o instanceof ProxyRouteFixture f2 ? f2.build()
          : o instanceof ServiceFixture f3 ? f3.build()
          : o instanceof SliceFixture f4 ? f4.build()
          : o;
      if (built instanceof IngressClass c) {
        classes.add(c);
      } else if (built instanceof Ingress i) {
        ingresses.add(i);
      } else if (built instanceof ProxyRoute r) {
        routes.add(r);
      } else if (built instanceof Service s) {
        services.add(s);
      } else if (built instanceof EndpointSlice s) {
        slices.add(s);
      } else if (built instanceof Secret s) {
        secrets.add(s);
      } else if (built instanceof io.fabric8.kubernetes.api.model.ConfigMap m) {
        configMaps.add(m);
      } else {
        throw new IllegalArgumentException("not a fixture: " + o);
      }
    }
    if (classes.isEmpty()) {
      classes.add(ourClass());
    }
    ClusterState state =
        new ClusterState(classes, ingresses, routes, services, slices, secrets, now, configMaps);
    return new Compiled(new Compiler(settings).compile(state));
  }

  private static void flatten(List<?> objects, List<Object> out) {
    for (Object o : objects) {
      if (o instanceof List<?> list) {
        flatten(list, out);
      } else {
        out.add(o);
      }
    }
  }

  /** A compile result with questions a test asks of it. */
  record Compiled(CompileResult result) {
    Snapshot snapshot() {
      return result.snapshot();
    }

    /** Route names of a host in priority order; empty if the host does not exist. */
    List<String> routeNames(String host) {
      VirtualHost vhost = snapshot().virtualHostsByHost().get(host);
      return vhost == null ? List.of() : vhost.routes().stream().map(Route::name).toList();
    }

    List<String> hosts() {
      return snapshot().virtualHosts().stream().map(VirtualHost::host).toList();
    }

    Route route(String name) {
      return snapshot().virtualHosts().stream()
          .flatMap(v -> v.routes().stream())
          .filter(r -> r.name().equals(name))
          .findFirst()
          .orElseGet(() -> fail("no route " + name + " in " + snapshot().virtualHosts()));
    }

    boolean hasRoute(String name) {
      return snapshot().virtualHosts().stream().flatMap(v -> v.routes().stream()).anyMatch(r -> r.name().equals(name));
    }

    Cluster cluster(String name) {
      Cluster c = snapshot().clustersByName().get(name);
      if (c == null) {
        fail("no cluster " + name + " in " + snapshot().clusters());
      }
      return c;
    }

    List<String> endpoints(String cluster) {
      return cluster(cluster).endpoints().stream().map(Endpoint::toString).toList();
    }

    List<String> statusObjects() {
      return result.statuses().stream().map(s -> s.object().toString()).toList();
    }

    ObjectStatus status(String kind, String namespace, String name) {
      return result.statuses().stream()
          .filter(s -> s.object().kind().equals(kind) && s.object().namespace().equals(namespace)
              && s.object().name().equals(name))
          .findFirst()
          .orElseGet(() -> fail("no status for " + kind + " " + namespace + "/" + name + " in " + statusObjects()));
    }

    ObjectStatus ingressStatus(String namespace, String name) {
      return status("Ingress", namespace, name);
    }

    ObjectStatus proxyRouteStatus(String namespace, String name) {
      return status("ProxyRoute", namespace, name);
    }
  }

  static Condition condition(ObjectStatus status, String type) {
    return status.conditions().stream().filter(c -> c.type().equals(type)).findFirst()
        .orElseGet(() -> fail("no condition " + type + " in " + status.conditions()));
  }

  static void assertCondition(ObjectStatus status, String type, boolean value, String reason, String messagePart) {
    Condition c = condition(status, type);
    assertEquals(value, c.status(), () -> type + " in " + c);
    assertEquals(reason, c.reason(), () -> type + " reason in " + c);
    if (messagePart != null) {
      assertTrue(c.message().contains(messagePart), () -> type + " message '" + c.message() + "' lacks '" + messagePart + "'");
    }
  }

  static void assertAllGood(ObjectStatus status) {
    assertCondition(status, Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
    assertCondition(status, Reasons.RESOLVED_REFS, true, Reasons.RESOLVED_REFS, null);
    assertTrue(status.events().stream().noneMatch(Event::warning), () -> "warnings: " + status.events());
  }

  static Event warning(ObjectStatus status, String reason) {
    return status.events().stream().filter(e -> e.warning() && e.reason().equals(reason)).findFirst()
        .orElseGet(() -> fail("no warning " + reason + " in " + status.events()));
  }
}
