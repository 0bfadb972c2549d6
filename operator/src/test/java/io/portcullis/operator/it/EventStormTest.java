package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.rbac.ApiRequest;
import io.portcullis.operator.rbac.ApiRequestRecorder;
import io.portcullis.operator.rbac.ClusterObjects;
import io.portcullis.operator.status.EventCorrelator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Mock API server tier: one Service's endpoints go not-ready under 200 Ingresses, and every Ingress
 * reports it. The operator's Event writes are counted from its own client: 200 Events (one per
 * Ingress) was the storm; now the first objects get their own Event and the rest are one combined
 * Event whose count says how many. A second operator (a new leader, with no memory of what the
 * first wrote) finds those Events and bumps them: no new Event objects.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class EventStormTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";
  private static final int INGRESSES = 200;
  private static final int THRESHOLD = EventCorrelator.Settings.DEFAULT.aggregateThreshold();
  private static final Predicate<ApiRequest> EVENT_WRITE =
      r -> r.resource().equals("events") && Set.of("create", "update", "patch").contains(r.verb());

  KubernetesClient client;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    java.util.Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      c.close();
    }
  }

  @Test
  void oneUnreadyServiceUnder200IngressesIsAHandfulOfEventWritesAndANewLeaderCreatesNone() throws Exception {
    ApiServerFixtures.defaultIngressClass(client);
    ClusterObjects.apply(client, ClusterObjects.service(NS, "web", 8080));
    ClusterObjects.apply(client, ClusterObjects.endpointSlice(NS, "web", 8080, true));
    for (int i = 0; i < INGRESSES; i++) {
      ClusterObjects.apply(client, ClusterObjects.ingress(NS, "shop-" + i, "shop" + i + ".example.com", "web", null));
    }
    ApiRequestRecorder first = new ApiRequestRecorder();
    Operator leader = start(first);
    await().atMost(DEADLINE).until(() -> leader.store().current().virtualHosts().size() >= INGRESSES);
    assertEquals(0, first.count(EVENT_WRITE), "nothing to report while the Service is ready");

    ClusterObjects.apply(client, ClusterObjects.endpointSlice(NS, "web", 8080, false));

    int combined = INGRESSES - THRESHOLD;
    await().atMost(DEADLINE).until(() -> combinedCount() == combined);
    List<Event> events = events();
    assertEquals(THRESHOLD + 1, events.size(), "one Event per Ingress up to the threshold, then one combined");
    assertTrue(events.stream().allMatch(e -> "NoReadyEndpoints".equals(e.getReason())));
    assertEquals(THRESHOLD + 1, first.count(EVENT_WRITE),
        "one write per Event: " + first.requests().stream().filter(EVENT_WRITE).toList());

    // A new leader starts from nothing: it looks each Event up and bumps it.
    leader.close();
    ApiRequestRecorder second = new ApiRequestRecorder();
    start(second);
    await().atMost(DEADLINE).until(() -> combinedCount() == 2 * combined);
    assertEquals(THRESHOLD + 1, events().size(), "no new Event objects after the leader change");
    assertEquals(0, second.count(r -> EVENT_WRITE.test(r) && r.verb().equals("create")));
    assertEquals(THRESHOLD + 1, second.count(EVENT_WRITE));
    assertTrue(events().stream().filter(e -> !e.getMessage().startsWith(EventCorrelator.COMBINED_PREFIX))
        .allMatch(e -> e.getCount() == 2), "each Ingress's own Event counted twice");
  }

  private Operator start(ApiRequestRecorder recorder) throws Exception {
    KubernetesClient operatorClient = recorder.client(client.getConfiguration());
    closing.add(operatorClient);
    Operator operator = ApiServerFixtures.startOperator(operatorClient, 0);
    closing.add(operator);
    return operator;
  }

  private List<Event> events() {
    return client.v1().events().inNamespace(NS).list().getItems();
  }

  private int combinedCount() {
    return events().stream()
        .filter(e -> e.getMessage().startsWith(EventCorrelator.COMBINED_PREFIX))
        .mapToInt(e -> e.getCount() == null ? 0 : e.getCount())
        .sum();
  }
}
