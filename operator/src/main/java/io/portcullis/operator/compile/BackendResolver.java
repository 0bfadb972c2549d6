package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditions;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Resolves Service + port to a cluster of ready endpoints. Services and EndpointSlices are indexed
 * once per compile and every resolution is memoised, so 10,000 Ingresses on a few Services cost a
 * few lookups each, never a scan.
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
  private final Map<String, Resolution> memo = new HashMap<>();
  private final Map<String, Cluster> clusters = new HashMap<>();

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
    String ref = key(namespace, service) + ":" + port;
    return memo.computeIfAbsent(ref, r -> compute(namespace, service, port));
  }

  /** Every cluster any resolution produced; callers keep those their routes use. */
  Map<String, Cluster> clusters() {
    return clusters;
  }

  private Resolution compute(String namespace, String serviceName, String port) {
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
    String clusterName = serviceKey + ":" + servicePort.getPort();
    List<Endpoint> endpoints = readyEndpoints(serviceKey, servicePort.getName());
    clusters.computeIfAbsent(clusterName, n -> new Cluster(n, endpoints));
    if (endpoints.isEmpty()) {
      return new Resolution(clusterName, Reasons.NO_READY_ENDPOINTS,
          "Service " + serviceKey + " port " + servicePort.getPort() + " has no ready endpoints");
    }
    return new Resolution(clusterName, null, null);
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
   * Ready endpoints of the slice port named like the Service port (unnamed matches unnamed). An
   * endpoint counts when {@code ready} is true or unset, and never while terminating: a draining
   * pod finishes its requests but gets no new ones.
   */
  private List<Endpoint> readyEndpoints(String serviceKey, String portName) {
    Set<Endpoint> out = new LinkedHashSet<>();
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
        if (!isReady(e.getConditions()) || e.getAddresses() == null) {
          continue;
        }
        for (String address : e.getAddresses()) {
          if (address != null && !address.isBlank()) {
            out.add(new Endpoint(address, targetPort));
          }
        }
      }
    }
    return List.copyOf(out);
  }

  private static boolean isReady(EndpointConditions c) {
    if (c == null) {
      return true;
    }
    return !Boolean.FALSE.equals(c.getReady()) && !Boolean.TRUE.equals(c.getTerminating());
  }

  private static Integer parsePort(String port) {
    if (port == null || port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
      return null;
    }
    return Integer.parseInt(port);
  }

  private static String key(String namespace, String name) {
    return (namespace == null ? "" : namespace) + "/" + name;
  }
}
