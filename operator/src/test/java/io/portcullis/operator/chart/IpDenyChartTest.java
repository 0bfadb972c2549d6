package io.portcullis.operator.chart;

import static io.portcullis.operator.chart.Chart.one;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** dataplane.ipDeny becomes the dataplanes' global deny list (--ip-deny). */
class IpDenyChartTest {
  private static final String DATAPLANE = "pc-portcullis-dataplane";

  private static String ipDeny(List<HasMetadata> objects) {
    return one(objects, Deployment.class, DATAPLANE).getSpec().getTemplate().getSpec()
        .getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("PORTCULLIS_IP_DENY")).map(EnvVar::getValue)
        .findFirst().orElseThrow();
  }

  @Test
  void theListIsPassedCommaSeparated() {
    assertEquals("192.0.2.0/24,2001:db8::/32", ipDeny(Chart.render(Map.of(
        "dataplane.ipDeny[0]", "192.0.2.0/24", "dataplane.ipDeny[1]", "2001:db8::/32"))));
  }

  @Test
  void emptyByDefault() {
    assertEquals("", ipDeny(Chart.render(Map.of())));
  }
}
