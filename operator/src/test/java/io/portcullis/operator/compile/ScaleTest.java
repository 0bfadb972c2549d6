package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Ten thousand Ingresses compile to ten thousand routes. Not timed (timed tests lie on a shared
 * machine); the passes are linear apart from per-host sorting, which this keeps honest by size.
 */
class ScaleTest {
  @Test
  @DisplayName("10,000 Ingresses over 100 namespaces compile to 10,000 routes with every backend resolved")
  void tenThousandIngresses() {
    List<Object> objects = new ArrayList<>();
    for (int ns = 0; ns < 100; ns++) {
      String namespace = "team-" + ns;
      objects.add(backendWithEndpoints(namespace, "web", 80, "10.1." + ns + ".1", "10.1." + ns + ".2"));
      for (int i = 0; i < 100; i++) {
        // Ten Ingresses share each host, so merging and ordering are exercised at scale too.
        objects.add(ingress(namespace, "app-" + i)
            .host("host-" + (i / 10) + "." + namespace + ".example.com")
            .prefix("/app-" + i, "web", 80)
            .build());
      }
    }
    Compiled c = compile(objects.toArray());
    assertEquals(10_000, c.snapshot().routeCount());
    assertEquals(1_000, c.snapshot().virtualHosts().size());
    assertEquals(100, c.snapshot().clusters().size());
    assertEquals(10_000, c.result().statuses().size());
    c.result().statuses().forEach(Fixtures::assertAllGood);
  }
}
