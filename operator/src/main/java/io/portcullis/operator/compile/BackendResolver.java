package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.SnapshotCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Resolves Service + port (and the policy a route asks for) to a cluster of serving endpoints. Services and EndpointSlices are indexed
 * once per compile and every resolution is memoised, so 10,000 Ingresses on a few Services cost a
 * few lookups each, never a scan.
 *
 * <p>A Service port used with the default policy is the cluster {@code ns/svc:port}; with any other
 * policy (its {@code appProtocol} counts) it is {@code ns/svc:port/<hash>}, one cluster per
 * distinct policy, so routes with different balancing or health settings never share state and
 * existing names stay as they were.
 *
 * <p>An unresolvable backend still yields a cluster (with no endpoints, so the dataplane answers
 * 503) and a problem to report: a missing backend must never make requests fall through to
 * another route.
 */
final class BackendResolver {
  static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  /**
   * @param cluster the cluster name to route to, always set
   * @param reason null when resolved with ready endpoints, else a {@link Reasons} ResolvedRefs value
   * @param message what to tell the user, null when resolved
   */
  record Resolution(String cluster, String reason, String message) {
    boolean ok() {
      return reason == null;
    }
  }

  private final Map<String, Service> services = new HashMap<>();
  private final Map<String, List<EndpointSlice>> slicesByService = new HashMap<>();
  private final Map<MemoKey, Resolution> memo = new HashMap<>();
  private final Map<String, Cluster> clusters = new HashMap<>();
  /**
   * Per distinct policy, its cluster name suffix: a compile meets a handful of policies on
   * thousands of routes, and serialising and hashing one is dear before the JIT has run.
   */
  private final Map<ClusterPolicy, String> policySuffixes = new HashMap<>();

  BackendResolver(List<Service> serviceList, List<EndpointSlice> sliceList) {
    for (Service s : serviceList) {
      services.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
    }
    for (EndpointSlice slice : sliceList) {
      Map<String, String> labels = slice.getMetadata().getLabels();
      String service = labels == null ? null : labels.get(SERVICE_NAME_LABEL);
      if (service != null) {
        slicesByService
            .computeIfAbsent(key(slice.getMetadata().getNamespace(), service), k -> new ArrayList<>())
            .add(slice);
      }
    }
  }

  /**
   * @param port a port number ({@code "80"}) or a Service port name ({@code "http"})
   */
  Resolution resolve(String namespace, String service, String port) {
    return resolve(namespace, service, port, ClusterPolicy.DEFAULT, UpstreamRequest.FROM_SERVICE);
  }

  /**
   * @param policy what the route asks for, protocol and TLS aside
   * @param upstream the protocol and TLS the route asks for; what it leaves open the Service
   *     port's {@code appProtocol} decides
   */
  Resolution resolve(
      String namespace, String service, String port, ClusterPolicy policy, UpstreamRequest upstream) {
    MemoKey ref = new MemoKey(key(namespace, service) + ":" + port, policy, upstream);
    return memo.computeIfAbsent(ref, r -> compute(namespace, service, port, policy, upstream));
  }

  /**
   * The serving endpoints of a cluster this resolver would build, by cluster name; null when the
   * name's Service or port does not exist. The cheap path of an endpoint-only change.
   */
  List<Endpoint> endpointsOf(String clusterName) {
    int slash = clusterName.indexOf('/');
    int colon = clusterName.indexOf(':', slash + 1);
    if (slash < 0 || colon < 0) {
      return null;
    }
    int end = clusterName.indexOf('/', colon);
    String serviceKey = clusterName.substring(0, colon);
    Service service = services.get(serviceKey);
    ServicePort servicePort = service == null ? null
        : findPort(service, clusterName.substring(colon + 1, end < 0 ? clusterName.length() : end));
    return servicePort == null ? null : servingEndpoints(serviceKey, servicePort.getName());
  }

  /**
   * The number of a Service's first port, or null when the Service or its ports are missing
   * (ingress-nginx's default-backend annotation names a Service only).
   */
  String firstPort(String namespace, String service) {
    Service s = services.get(key(namespace, service));
    if (s == null || s.getSpec() == null || s.getSpec().getPorts() == null
        || s.getSpec().getPorts().isEmpty() || s.getSpec().getPorts().get(0).getPort() == null) {
      return null;
    }
    return s.getSpec().getPorts().get(0).getPort().toString();
  }

  private record MemoKey(String ref, ClusterPolicy policy, UpstreamRequest upstream) {}

  /** Every cluster any resolution produced; callers keep those their routes use. */
  Map<String, Cluster> clusters() {
    return clusters;
  }

  private Resolution compute(String namespace, String serviceName, String port,
      ClusterPolicy requested, UpstreamRequest upstream) {
    String serviceKey = key(namespace, serviceName);
    Service service = services.get(serviceKey);
    if (service == null) {
      return unresolved(serviceKey + ":" + port, Reasons.SERVICE_NOT_FOUND,
          "Service " + serviceKey + " not found");
    }
    if ("ExternalName".equals(service.getSpec() == null ? null : service.getSpec().getType())) {
      // Forwarding to an arbitrary DNS name would let any namespace route to anything; not
      // supported until there is a policy for it.
      return unresolved(serviceKey + ":" + port, Reasons.UNSUPPORTED_BACKEND,
          "Service " + serviceKey + " is of type ExternalName, which is not supported");
    }
    ServicePort servicePort = findPort(service, port);
    if (servicePort == null) {
      return unresolved(serviceKey + ":" + port, Reasons.PORT_NOT_FOUND,
          "Service " + serviceKey + " has no port " + port);
    }
    ClusterPolicy policy = upstream.apply(requested, servicePort.getAppProtocol());
    String base = serviceKey + ":" + servicePort.getPort();
    String clusterName = policy == null || ClusterPolicy.DEFAULT.equals(policy) ? base
        : base + policySuffixes.computeIfAbsent(policy, p -> clusterName("", p));
    List<Endpoint> endpoints = servingEndpoints(serviceKey, servicePort.getName());
    clusters.computeIfAbsent(clusterName, n -> new Cluster(n, endpoints, policy));
    if (allTerminating(endpoints)) {
      return new Resolution(clusterName, Reasons.NO_READY_ENDPOINTS,
          "Service " + serviceKey + " port " + servicePort.getPort() + " has no ready endpoints");
    }
    return new Resolution(clusterName, null, null);
  }

  /** The plain name for the default policy, else the name plus a short hash of the policy. */
  static String clusterName(String base, ClusterPolicy policy) {
    if (policy == null || ClusterPolicy.DEFAULT.equals(policy)) {
      return base;
    }
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(SnapshotCodec.toJsonString(policy).getBytes(StandardCharsets.UTF_8));
      return base + "/" + HexFormat.of().formatHex(digest, 0, 4);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  private static boolean allTerminating(List<Endpoint> endpoints) {
    for (Endpoint e : endpoints) {
      if (!e.terminating()) {
        return false;
      }
    }
    return true;
  }

  private Resolution unresolved(String clusterName, String reason, String message) {
    clusters.computeIfAbsent(clusterName, n -> new Cluster(n, List.of()));
    return new Resolution(clusterName, reason, message);
  }

  private static ServicePort findPort(Service service, String port) {
    List<ServicePort> ports = service.getSpec() == null ? null : service.getSpec().getPorts();
    if (ports == null) {
      return null;
    }
    Integer number = parsePort(port);
    for (ServicePort p : ports) {
      if (number != null ? Objects.equals(p.getPort(), number) : port.equals(p.getName())) {
        return p.getPort() == null ? null : p;
      }
    }
    return null;
  }

  /**
   * Serving endpoints of the slice port named like the Service port (unnamed matches unnamed). An
   * endpoint counts when {@code ready} is true or unset; a terminating one counts, marked
   * terminating, only while it is still {@code serving}: the dataplane sends it no new requests
   * but lets it finish those it has (and uses it as a last resort rather than answering 503).
   * Not-serving endpoints are left out.
   */
  private List<Endpoint> servingEndpoints(String serviceKey, String portName) {
    // By address: one address listed twice (two slices during a handover) is one endpoint, and
    // it is terminating only if every listing says so.
    Map<String, Endpoint> out = new LinkedHashMap<>();
    String wanted = portName == null ? "" : portName;
    for (EndpointSlice slice : slicesByService.getOrDefault(serviceKey, List.of())) {
      Integer targetPort = null;
      for (EndpointPort p : slice.getPorts() == null ? List.<EndpointPort>of() : slice.getPorts()) {
        if (wanted.equals(p.getName() == null ? "" : p.getName())) {
          targetPort = p.getPort();
        }
      }
      if (targetPort == null || targetPort < 1 || targetPort > 65535 || slice.getEndpoints() == null) {
        continue;
      }
      for (io.fabric8.kubernetes.api.model.discovery.v1.Endpoint e : slice.getEndpoints()) {
        Boolean terminating = serving(e.getConditions());
        if (terminating == null || e.getAddresses() == null) {
          continue;
        }
        for (String address : e.getAddresses()) {
          if (address != null && !address.isBlank()) {
            Endpoint endpoint = new Endpoint(address, targetPort, terminating);
            out.merge(endpoint.toString(), endpoint, (a, b) -> a.terminating() ? b : a);
          }
        }
      }
    }
    return List.copyOf(out.values());
  }

  /** Null when the endpoint is not serving, else whether it is terminating. */
  private static Boolean serving(EndpointConditions c) {
    if (c == null) {
      return Boolean.FALSE;
    }
    if (Boolean.TRUE.equals(c.getTerminating())) {
      // Kubernetes reports ready=false for every terminating endpoint; serving says whether it
      // still takes requests. Without serving (old API servers) only ready can say so.
      Boolean serving = c.getServing() != null ? c.getServing() : c.getReady();
      return Boolean.TRUE.equals(serving) ? Boolean.TRUE : null;
    }
    return Boolean.FALSE.equals(c.getReady()) ? null : Boolean.FALSE;
  }

  private static Integer parsePort(String port) {
    if (port == null || port.isEmpty() || port.length() > 5) {
      return null;
    }
    for (int i = 0; i < port.length(); i++) {
      if (!Character.isDigit(port.charAt(i))) {
        return null;
      }
    }
    return Integer.parseInt(port);
  }

  private static String key(String namespace, String name) {
    return (namespace == null ? "" : namespace) + "/" + name;
  }
}
