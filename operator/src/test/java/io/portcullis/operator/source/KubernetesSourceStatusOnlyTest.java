package io.portcullis.operator.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class KubernetesSourceStatusOnlyTest {
  private static Ingress ingress(String resourceVersion, String path, String address) {
    IngressBuilder b = new IngressBuilder()
        .withNewMetadata().withNamespace("shop").withName("web").withGeneration(1L)
        .withResourceVersion(resourceVersion).addToAnnotations("portcullis.io/retries", "2").endMetadata()
        .withNewSpec().addNewRule().withHost("shop.example.com").withNewHttp().addNewPath()
        .withPath(path).withPathType("Prefix")
        .withNewBackend().withNewService().withName("web").withNewPort().withNumber(80).endPort().endService().endBackend()
        .endPath().endHttp().endRule().endSpec();
    if (address != null) {
      b.withNewStatus().withNewLoadBalancer().addNewIngress().withIp(address).endIngress().endLoadBalancer().endStatus();
    }
    return b.build();
  }

  @Test
  @DisplayName("our own status write coming back through the watch does not wake the compiler")
  void statusOnlyUpdateIsNotACompilerChange() {
    assertTrue(KubernetesSource.onlyStatusChanged(ingress("1", "/", null), ingress("2", "/", "10.0.0.1")));
  }

  @Test
  @DisplayName("a changed path, annotation or label is a change")
  void specAndMetadataChangesAre() {
    Ingress before = ingress("1", "/", null);
    assertFalse(KubernetesSource.onlyStatusChanged(before, ingress("2", "/api", null)));
    Ingress annotated = ingress("2", "/", null);
    annotated.getMetadata().getAnnotations().put("portcullis.io/retries", "3");
    assertFalse(KubernetesSource.onlyStatusChanged(before, annotated));
    Ingress labelled = ingress("2", "/", null);
    labelled.getMetadata().setLabels(java.util.Map.of("team", "a"));
    assertFalse(KubernetesSource.onlyStatusChanged(before, labelled));
  }
}
