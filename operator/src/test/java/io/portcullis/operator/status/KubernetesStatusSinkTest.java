package io.portcullis.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.portcullis.operator.crd.ProxyRoute;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.List;
import java.util.concurrent.TimeUnit;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class KubernetesStatusSinkTest {
  KubernetesClient client;
  KubernetesMockServer server;

  /**
   * One request per Ingress address: a JSON patch of the status subresource, no read before it
   * (a patch through a handle by name GETs the object first) and nothing of the spec. With the mock API server taking a few dozen writes a second at
   * 10,000 Ingresses (it scans every stored object per request), each extra request would cost
   * as much again.
   */
  @Test
  void anIngressAddressIsOneStatusPatchAndNothingElse() throws Exception {
    client.network().v1().ingresses().inNamespace("shop").resource(new IngressBuilder()
        .withNewMetadata().withNamespace("shop").withName("web").endMetadata()
        .withNewSpec().addNewRule().withHost("shop.example.com").endRule().endSpec()
        .build()).create();
    while (server.getRequestCount() > 0 && server.takeRequest(1, TimeUnit.SECONDS) != null) {
      // Drain what the set-up sent; the recorded queue then holds only the write's requests.
    }
    int before = server.getRequestCount();

    new KubernetesStatusSink(client).writeIngressLoadBalancer(
        new ObjectRef("Ingress", "shop", "web", 1, null), List.of(LoadBalancerAddress.ip("10.0.0.1")));

    assertEquals(1, server.getRequestCount() - before);
    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertEquals("PATCH", request.getMethod());
    assertEquals("/apis/networking.k8s.io/v1/namespaces/shop/ingresses/web/status", request.getPath());
    assertTrue(request.getHeader("Content-Type").startsWith("application/json-patch+json"),
        request.getHeader("Content-Type"));
    assertEquals("10.0.0.1", client.network().v1().ingresses().inNamespace("shop").withName("web").get()
        .getStatus().getLoadBalancer().getIngress().get(0).getIp());
  }

  @Test
  void aVeryLongNameAndMessageStillMakeAValidEvent() {
    String longName = "a".repeat(253);
    new KubernetesStatusSink(client)
        .recordEvent(
            new ObjectRef("Ingress", "shop", longName, 1, "uid-1"),
            new ObjectStatus.Event(false, "Accepted", "x".repeat(5000)));
    Event event = client.v1().events().inNamespace("shop").list().getItems().get(0);
    assertTrue(event.getMetadata().getName().length() <= 253, event.getMetadata().getName());
    assertEquals(1024, event.getMessage().length());
    assertTrue(event.getMessage().endsWith("..."));
    assertEquals(longName, event.getInvolvedObject().getName());
    assertEquals("Normal", event.getType());
  }

  @Test
  void aProxyRouteStatusIsOneStatusPatchAndNothingElse() throws Exception {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("api").build());
    client.resource(route).create();
    while (server.getRequestCount() > 0 && server.takeRequest(1, TimeUnit.SECONDS) != null) {
      // Drain what the set-up sent.
    }
    int before = server.getRequestCount();
    ProxyRouteStatus status = new ProxyRouteStatus();
    status.setObservedGeneration(1L);

    new KubernetesStatusSink(client).writeProxyRouteStatus(new ObjectRef("ProxyRoute", "shop", "api", 1, null), status);

    assertEquals(1, server.getRequestCount() - before);
    RecordedRequest request = server.takeRequest(1, TimeUnit.SECONDS);
    assertEquals("PATCH", request.getMethod());
    assertTrue(request.getPath().endsWith("/namespaces/shop/proxyroutes/api/status"), request.getPath());
    assertEquals(1L, client.resources(ProxyRoute.class).inNamespace("shop").withName("api").get()
        .getStatus().getObservedGeneration());
  }

  @Test
  void aStatusForARouteThatWasDeletedMeanwhileIsDroppedQuietly() {
    // No ProxyRoute "gone" exists: the 404 must not surface as a failure to retry forever.
    new KubernetesStatusSink(client)
        .writeProxyRouteStatus(new ObjectRef("ProxyRoute", "shop", "gone", 1, null), new ProxyRouteStatus());
  }
}
