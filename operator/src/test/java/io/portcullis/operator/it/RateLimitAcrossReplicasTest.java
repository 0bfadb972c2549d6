package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.RateLimitSpec;
import io.portcullis.operator.rbac.ClusterObjects;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Mock API server tier: two operator replicas with a dataplane each. A route's rate limit is
 * shared by every dataplane of every replica: each replica counts its own dataplanes and those the
 * other reports on its Lease, and both publish (and their dataplanes apply) a share of one half;
 * when a dataplane goes, the remaining one gets the whole budget back.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
@ExtendWith(ChartGrantsEveryRequest.class)
class RateLimitAcrossReplicasTest {
  private static final Duration DEADLINE = MockApiServer.DEADLINE;
  private static final String NS = "shop";

  KubernetesClient client;
  private Replicas replicas;

  @BeforeEach
  void start() {
    replicas = new Replicas(client);
  }

  @AfterEach
  void stop() {
    replicas.close();
  }

  @Test
  void theBudgetIsSharedByTheDataplanesOfEveryReplica() throws Exception {
    ApiServerFixtures.defaultIngressClass(client);
    ClusterObjects.apply(client, ClusterObjects.service(NS, "web", 8080));
    ClusterObjects.apply(client, ClusterObjects.endpointSlice(NS, "web", 8080, true));
    Operator a = replicas.start("operator-a", true);
    Operator b = replicas.start("operator-b", false);
    LiveConfig configA = new LiveConfig();
    replicas.dataplane(a, "dataplane-a", configA);
    LiveConfig configB = new LiveConfig();
    StreamClient dataplaneB = replicas.dataplane(b, "dataplane-b", configB);

    ProxyRoute route = ClusterObjects.proxyRoute(NS, "api", "api.example.com", "web");
    route.getSpec().rateLimit = new RateLimitSpec();
    route.getSpec().rateLimit.requestsPerSecond = 100;
    ClusterObjects.apply(client, route);

    await().atMost(DEADLINE).until(() -> share(a.store().current()) == 2 && share(b.store().current()) == 2);
    await().atMost(DEADLINE).until(() -> share(configA) == 2 && share(configB) == 2);

    dataplaneB.close();
    await().atMost(DEADLINE).until(() -> share(a.store().current()) == 1 && share(configA) == 1);
  }

  /** The dataplane count the route's rate limit is shared by in {@code snapshot}, 0 if none. */
  private static int share(Snapshot snapshot) {
    return snapshot.virtualHosts().stream().flatMap(v -> v.routes().stream())
        .flatMap(r -> r.filters().stream())
        .filter(f -> f instanceof RateLimitPolicy)
        .mapToInt(f -> ((RateLimitPolicy) f).dataplanes())
        .findFirst().orElse(0);
  }

  private static int share(LiveConfig config) {
    return config.current() == null ? 0 : share(config.current().snapshot());
  }
}
