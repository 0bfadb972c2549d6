package io.portcullis.operator.source;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.portcullis.operator.crd.ProxyRoute;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.openjdk.jol.info.GraphLayout;

/** The empty unknown-field maps of stored objects: one shared map, the rest unchanged. */
class SharedEmptyExtrasTest {
  private static final String INGRESS = """
      {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
       "metadata": {"name": "web", "namespace": "shop", "uid": "u1", "resourceVersion": "7",
                    "labels": {"app": "web"}, "annotations": {"portcullis.io/timeout": "5s"}},
       "spec": {"ingressClassName": "portcullis",
                "tls": [{"hosts": ["shop.example"], "secretName": "shop-tls"}],
                "rules": [{"host": "shop.example", "http": {"paths": [
                  {"path": "/", "pathType": "Prefix",
                   "backend": {"service": {"name": "web", "port": {"number": 80}}}},
                  {"path": "/api", "pathtype": "Exact",
                   "backend": {"service": {"name": "api", "port": {"name": "http"}}}}]}}]},
       "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}]}}}
      """;

  private static final String SLICE = """
      {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "addressType": "IPv4",
       "metadata": {"name": "web-abc", "namespace": "shop",
                    "labels": {"kubernetes.io/service-name": "web"}},
       "ports": [{"name": "http", "port": 8080, "protocol": "TCP"}],
       "endpoints": [{"addresses": ["10.1.0.1"], "conditions": {"ready": true},
                      "targetRef": {"kind": "Pod", "name": "web-1", "namespace": "shop"}},
                     {"addresses": ["10.1.0.2"], "conditions": {"ready": false}}]}
      """;

  @Test
  void everyEmptyMapBecomesTheSharedOne() {
    Ingress ingress = SharedEmptyExtras.share(Serialization.unmarshal(INGRESS, Ingress.class));

    assertSame(SharedEmptyExtras.shared(), ingress.getAdditionalProperties());
    assertSame(SharedEmptyExtras.shared(), ingress.getMetadata().getAdditionalProperties());
    assertSame(SharedEmptyExtras.shared(), ingress.getSpec().getTls().get(0).getAdditionalProperties());
    HTTPIngressPath first = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0);
    assertSame(SharedEmptyExtras.shared(),
        first.getBackend().getService().getPort().getAdditionalProperties());
    assertSame(SharedEmptyExtras.shared(),
        ingress.getStatus().getLoadBalancer().getIngress().get(0).getAdditionalProperties());

    EndpointSlice slice = SharedEmptyExtras.share(Serialization.unmarshal(SLICE, EndpointSlice.class));
    assertSame(SharedEmptyExtras.shared(),
        slice.getEndpoints().get(0).getTargetRef().getAdditionalProperties());
    assertSame(SharedEmptyExtras.shared(),
        slice.getEndpoints().get(1).getConditions().getAdditionalProperties());
    assertSame(SharedEmptyExtras.shared(), slice.getPorts().get(0).getAdditionalProperties());
  }

  @Test
  void aMapWithUnknownFieldsIsKept() {
    Ingress ingress = SharedEmptyExtras.share(Serialization.unmarshal(INGRESS, Ingress.class));

    HTTPIngressPath typo = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(1);
    assertNotSame(SharedEmptyExtras.shared(), typo.getAdditionalProperties());
    assertEquals(Map.of("pathtype", "Exact"), typo.getAdditionalProperties());
    // The manifests source still reports the typo from the stored object.
    assertEquals(1, UnknownFields.of(ingress).size());
  }

  @Test
  void theObjectStaysEqualAndSerialisesTheSame() {
    Ingress decoded = Serialization.unmarshal(INGRESS, Ingress.class);
    Ingress shared = SharedEmptyExtras.share(Serialization.unmarshal(INGRESS, Ingress.class));

    assertEquals(decoded, shared);
    assertEquals(decoded.hashCode(), shared.hashCode());
    assertEquals(Serialization.asJson(decoded), Serialization.asJson(shared));
    // A copy made for a write gets maps of its own again.
    Ingress edited = new IngressBuilder(shared).editMetadata().addToLabels("tier", "front").endMetadata()
        .build();
    edited.getMetadata().setAdditionalProperty("x", 1);
    assertEquals(Map.of("x", 1), edited.getMetadata().getAdditionalProperties());
    assertSame(SharedEmptyExtras.shared(), shared.getMetadata().getAdditionalProperties());
  }

  @Test
  void aCustomResourcesMetadataIsShared() {
    ProxyRoute route = Serialization.unmarshal("""
        {"apiVersion": "portcullis.io/v1alpha1", "kind": "ProxyRoute",
         "metadata": {"name": "r", "namespace": "shop"},
         "spec": {"hosts": ["r.example"], "routes": []}}
        """, ProxyRoute.class);

    SharedEmptyExtras.share(route);

    assertSame(SharedEmptyExtras.shared(), route.getMetadata().getAdditionalProperties());
  }

  @Test
  void storedObjectsShrink() {
    Ingress decoded = Serialization.unmarshal(INGRESS, Ingress.class);
    GraphLayout before = GraphLayout.parseInstance(decoded);

    SharedEmptyExtras.share(decoded);

    GraphLayout after = GraphLayout.parseInstance(decoded);
    // The maps left are the labels, the annotations and the typo's unknown field.
    assertEquals(3, after.getClassCounts().count(LinkedHashMap.class), after.toFootprint());
    assertTrue(after.totalSize() < before.totalSize(),
        before.totalSize() + " bytes before, " + after.totalSize() + " after");
  }
}
