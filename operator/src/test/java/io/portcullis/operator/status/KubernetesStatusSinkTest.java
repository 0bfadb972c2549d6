package io.portcullis.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
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
  void aStatusForARouteThatWasDeletedMeanwhileIsDroppedQuietly() {
    // No ProxyRoute "gone" exists: the 404 must not surface as a failure to retry forever.
    new KubernetesStatusSink(client)
        .writeProxyRouteStatus(new ObjectRef("ProxyRoute", "shop", "gone", 1, null), new ProxyRouteStatus());
  }
}
