package io.portcullis.operator.cache;

import io.fabric8.kubernetes.api.model.EndpointAddress;
import io.fabric8.kubernetes.api.model.EndpointPort;
import io.fabric8.kubernetes.api.model.EndpointSubset;
import io.fabric8.kubernetes.api.model.Endpoints;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointConditionsBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointPortBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns core/v1 Endpoints into discovery.k8s.io/v1 EndpointSlices ({@code --endpoints-source=
 * endpoints}) so the compiler reads one shape. One slice per subset, because a subset is exactly
 * "these addresses serve these ports", which is what a slice says too.
 */
public final class EndpointsConverter {
  /** The label that ties a slice to its Service, as the EndpointSlice controller sets it. */
  public static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

  private EndpointsConverter() {}

  public static List<EndpointSlice> toSlices(Endpoints endpoints) {
    String name = endpoints.getMetadata().getName();
    String namespace = endpoints.getMetadata().getNamespace();
    List<EndpointSubset> subsets =
        endpoints.getSubsets() == null ? List.of() : endpoints.getSubsets();
    List<EndpointSlice> slices = new ArrayList<>(subsets.size());
    for (int i = 0; i < subsets.size(); i++) {
      EndpointSubset subset = subsets.get(i);
      List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> members = new ArrayList<>();
      addAll(members, subset.getAddresses(), true);
      addAll(members, subset.getNotReadyAddresses(), false);
      List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointPort> ports = new ArrayList<>();
      if (subset.getPorts() != null) {
        for (EndpointPort port : subset.getPorts()) {
          ports.add(
              new EndpointPortBuilder()
                  .withName(port.getName())
                  .withPort(port.getPort())
                  .withProtocol(port.getProtocol())
                  .withAppProtocol(port.getAppProtocol())
                  .build());
        }
      }
      slices.add(
          new EndpointSliceBuilder()
              .withMetadata(
                  new ObjectMetaBuilder()
                      .withName(name + "-endpoints-" + i)
                      .withNamespace(namespace)
                      .withResourceVersion(endpoints.getMetadata().getResourceVersion())
                      .withCreationTimestamp(endpoints.getMetadata().getCreationTimestamp())
                      .withLabels(Map.of(SERVICE_NAME_LABEL, name))
                      .build())
              .withAddressType(addressType(members))
              .withEndpoints(members)
              .withPorts(ports)
              .build());
    }
    return slices;
  }

  private static void addAll(
      List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> into,
      List<EndpointAddress> addresses,
      boolean ready) {
    if (addresses == null) {
      return;
    }
    for (EndpointAddress address : addresses) {
      into.add(
          new EndpointBuilder()
              .withAddresses(address.getIp())
              .withHostname(address.getHostname())
              .withNodeName(address.getNodeName())
              .withTargetRef(address.getTargetRef())
              // serving follows ready: core/v1 Endpoints cannot say "terminating but serving".
              .withConditions(
                  new EndpointConditionsBuilder().withReady(ready).withServing(ready).build())
              .build());
    }
  }

  private static String addressType(
      List<io.fabric8.kubernetes.api.model.discovery.v1.Endpoint> members) {
    boolean v6 =
        !members.isEmpty()
            && members.stream().allMatch(e -> e.getAddresses().get(0).contains(":"));
    return v6 ? "IPv6" : "IPv4";
  }
}
