package io.portcullis.operator.it;

import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.dataplane.admin.ProxyMetrics;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.RateLimitSpec;
import io.portcullis.operator.rbac.ClusterObjects;
import io.portcullis.operator.replicas.ClusterAcks;
import io.portcullis.operator.replicas.ReplicaAckPublisher;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Mock API server tier: two operator replicas with a dataplane each. A route's rate limit is
 * shared by every dataplane of every replica: each replica counts its own dataplanes and those the
 * other reports on its Lease, and both publish (and their dataplanes apply) a share of one half;
 * when a dataplane goes, the remaining one gets the whole budget back.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(ChartGrantsEveryRequest.class)
class RateLimitAcrossReplicasTest {
  private static final Duration DEADLINE = Duration.ofSeconds(20);
  private static final String NS = "shop";
  private static final String SYSTEM = "portcullis-system";
  private static final String LEASE = "portcullis-portcullis-leader";
  private static final ReplicaAckPublisher.Timings FAST =
      new ReplicaAckPublisher.Timings(Duration.ofMillis(100), Duration.ofMillis(500), Duration.ofSeconds(3));

  KubernetesClient client;
  private final List<AutoCloseable> closing = new ArrayList<>();

  @AfterEach
  void stop() {
    Collections.reverse(closing);
    for (AutoCloseable c : closing) {
      try {
        c.close();
      } catch (Exception ignored) {
        // best effort
      }
    }
  }

  @Test
  void theBudgetIsSharedByTheDataplanesOfEveryReplica() throws Exception {
    ApiServerFixtures.defaultIngressClass(client);
    ClusterObjects.apply(client, ClusterObjects.service(NS, "web", 8080));
    ClusterObjects.apply(client, ClusterObjects.endpointSlice(NS, "web", 8080, true));
    Operator a = replica("operator-a");
    Operator b = replica("operator-b");
    LiveConfig configA = new LiveConfig();
    dataplane(a, "dataplane-a", configA);
    LiveConfig configB = new LiveConfig();
    StreamClient dataplaneB = dataplane(b, "dataplane-b", configB);

    ProxyRoute route = ClusterObjects.proxyRoute(NS, "api", "api.example.com", "web");
    route.getSpec().rateLimit = new RateLimitSpec();
    route.getSpec().rateLimit.requestsPerSecond = 100;
    ClusterObjects.apply(client, route);

    await().atMost(DEADLINE).until(() -> share(a.store().current()) == 2 && share(b.store().current()) == 2);
    await().atMost(DEADLINE).until(() -> share(configA) == 2 && share(configB) == 2);

    dataplaneB.close();
    await().atMost(DEADLINE).until(() -> share(a.store().current()) == 1 && share(configA) == 1);
  }

  private Operator replica(String identity) throws Exception {
    Operator operator = ApiServerFixtures.startOperator(client, 0);
    closing.add(operator);
    operator.writeStatusOnlyWhile(() -> identity.endsWith("a"));
    KubernetesClient replicaClient = ChartGrantsEveryRequest.operatorClient(client);
    ReplicaAckPublisher publisher = new ReplicaAckPublisher(
        replicaClient, SYSTEM, LEASE, identity, operator.store(), FAST, Clock.systemUTC());
    publisher.start();
    closing.add(publisher);
    ClusterAcks acks = new ClusterAcks(replicaClient, SYSTEM, LEASE, identity, operator.store(), Clock.systemUTC());
    // As ClusterOperator wires it.
    operator.programmedBy(acks);
    operator.dataplanesCountedBy(acks::dataplaneCount);
    acks.onReportsChanged(operator::dataplanesChanged);
    acks.start();
    closing.add(acks);
    return operator;
  }

  private StreamClient dataplane(Operator operator, String nodeId, LiveConfig config) {
    StreamClient dataplane = new StreamClient(
        URI.create("http://127.0.0.1:" + operator.snapshotPort()), nodeId, config, new ProxyMetrics());
    dataplane.start();
    closing.add(dataplane);
    return dataplane;
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
