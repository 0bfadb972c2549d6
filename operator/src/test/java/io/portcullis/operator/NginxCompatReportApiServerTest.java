package io.portcullis.operator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** {@code nginx-compat-report} against an API server that has no Portcullis CRD yet. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class NginxCompatReportApiServerTest {
  KubernetesClient client;

  @Test
  void readsTheApiServerBeforePortcullisIsInstalled() {
    client.resource(new IngressBuilder().withNewMetadata().withNamespace("shop").withName("legacy")
        .withAnnotations(Map.of("kubernetes.io/ingress.class", "nginx",
            "nginx.ingress.kubernetes.io/ssl-passthrough", "true"))
        .endMetadata().withNewSpec().addNewRule().withHost("legacy.example.com").withNewHttp()
        .addNewPath().withPath("/").withPathType("Prefix").withNewBackend().withNewService()
        .withName("web").withNewPort().withNumber(80).endPort().endService().endBackend().endPath()
        .endHttp().endRule().endSpec().build()).create();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    var state = NginxCompatReport.fromApiServer(client, List.of(), System.err);
    int status = NginxCompatReport.print(state, "portcullis", new PrintStream(out, true, StandardCharsets.UTF_8));
    String report = out.toString(StandardCharsets.UTF_8);
    assertEquals(1, status, report);
    assertTrue(report.contains("shop/legacy (ingress-nginx's class)"), report);
    assertTrue(report.contains("refused: annotation nginx.ingress.kubernetes.io/ssl-passthrough"), report);
    assertTrue(report.contains("problem: ServiceNotFound"), report);
  }
}
