package io.portcullis.operator.source;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.portcullis.operator.source.KubernetesSource.EndpointsKind;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/** An API server that refuses to list (no RBAC, no CRD): start fails and says what is missing. */
@EnableKubernetesMockClient
@ExtendWith(MockApiServerSettled.class)
class KubernetesSourceSyncTest {
  KubernetesMockServer server;
  KubernetesClient client;

  @Test
  void informersThatNeverSyncFailTheStartNamingWhatIsMissing() {
    AtomicInteger changes = new AtomicInteger();
    KubernetesSource source =
        new KubernetesSource(
            client, List.of("shop"), EndpointsKind.ENDPOINT_SLICES, Duration.ofMinutes(10), Duration.ofSeconds(2));
    Exception e = assertThrows(Exception.class, () -> source.start(changes::incrementAndGet));
    String message = String.valueOf(e.getMessage());
    assertTrue(message.contains("ProxyRoute in shop"), message);
    assertTrue(message.contains("Not Found"), message);
    assertFalse(source.synced());
    assertTrue(changes.get() == 0, "nothing is compiled before sync");
    source.close();
  }
}
