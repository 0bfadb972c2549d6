package io.portcullis.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which address an Ingress publishes for each kind of dataplane Service (ingress-nginx's rules). */
class ServiceAddressesTest {
  private static ServiceBuilder service(String type) {
    return new ServiceBuilder()
        .withNewMetadata().withNamespace("ns").withName("dp").endMetadata()
        .withNewSpec().withType(type).withClusterIP("10.96.0.20").endSpec();
  }

  private static List<String> of(Service service) {
    return ServiceAddresses.of(service).stream().map(Object::toString).toList();
  }

  @Test
  void aLoadBalancerPublishesItsIngressAddressesAndExtraExternalIps() {
    Service lb = service("LoadBalancer")
        .editSpec().withExternalIPs("198.51.100.1", "203.0.113.5").endSpec()
        .withNewStatus().withNewLoadBalancer()
        .withIngress(new LoadBalancerIngressBuilder().withIp("203.0.113.5").build(),
            new LoadBalancerIngressBuilder().withHostname("lb.example.net").build())
        .endLoadBalancer().endStatus()
        .build();
    assertEquals(List.of("lb.example.net", "198.51.100.1", "203.0.113.5"), of(lb));
  }

  @Test
  void aLoadBalancerWithoutAnAddressYetPublishesNothing() {
    assertEquals(List.of(), of(service("LoadBalancer").build()));
  }

  @Test
  void aNodePortPublishesItsExternalIpsElseItsClusterIp() {
    assertEquals(List.of("10.96.0.20"), of(service("NodePort").build()));
    assertEquals(List.of("192.0.2.7"),
        of(service("NodePort").editSpec().withExternalIPs("192.0.2.7").endSpec().build()));
  }

  @Test
  void aClusterIpServicePublishesItsClusterIpUnlessHeadless() {
    assertEquals(List.of("10.96.0.20"), of(service("ClusterIP").build()));
    assertEquals(List.of(), of(service("ClusterIP").editSpec().withClusterIP("None").endSpec().build()));
  }

  @Test
  void anExternalNamePublishesTheName() {
    assertEquals(List.of("edge.example.com"),
        of(service("ExternalName").editSpec().withExternalName("edge.example.com").endSpec().build()));
  }

  @Test
  void fixedAddressesAreIpsOrHostNamesSortedLikeIngressNginx() {
    assertEquals(
        List.of(LoadBalancerAddress.hostname("lb.example.org"), LoadBalancerAddress.ip("192.0.2.1"),
            LoadBalancerAddress.ip("2001:db8::1")),
        PublishedAddresses.fixed(List.of("2001:db8::1", "lb.example.org", "192.0.2.1")).current()
            .orElseThrow());
  }
}
