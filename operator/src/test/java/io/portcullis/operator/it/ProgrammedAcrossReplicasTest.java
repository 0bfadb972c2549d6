package io.portcullis.operator.it;

import io.portcullis.operator.MockApiServer;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.chart.ChartGrantsEveryRequest;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.stream.StreamClient;
import io.portcullis.operator.Operator;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.rbac.ClusterObjects;
import io.portcullis.operator.stream.TestStreamPeer;
import io.portcullis.snapshot.StreamMessage;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.portcullis.operator.MockApiServerSettled;

/**
 * Mock API server tier: two operator replicas, each with its own dataplane, as the chart runs
 * them. Only replica A writes statuses (it leads); each replica publishes its dataplanes' acks on
 * its Lease and A counts them all. A leader with no dataplane of its own reports Programmed once
 * the other replica's dataplane serves the route, and Programmed is True only while every
 * dataplane on either replica has applied the current version.
 */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
@ExtendWith(ChartGrantsEveryRequest.class)
class ProgrammedAcrossReplicasTest {
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
  void programmedCountsTheDataplanesOfEveryReplica() throws Exception {
    ApiServerFixtures.defaultIngressClass(client);
    ClusterObjects.apply(client, ClusterObjects.service(NS, "web", 8080));
    ClusterObjects.apply(client, ClusterObjects.endpointSlice(NS, "web", 8080, true));
    Operator leader = replicas.start("operator-a", true);
    Operator follower = replicas.start("operator-b", false);
    StreamClient dataplaneB = replicas.dataplane(follower, "dataplane-b", new LiveConfig());

    ClusterObjects.apply(client, ClusterObjects.proxyRoute(NS, "api", "api.example.com", "web"));
    // The leader has no dataplane; the follower's serves the route: that is Programmed.
    await().atMost(DEADLINE).until(() -> programmed().equals(Optional.of("True")));
    assertEquals(0, leader.store().connectedCount());

    // A dataplane joins the leader and has not applied the version yet: no longer Programmed.
    TestStreamPeer slow = new TestStreamPeer(leader.snapshotPort());
    replicas.closes(slow);
    TestStreamPeer.Stream stream = slow.hello("dataplane-a", null);
    StreamMessage.SnapshotMsg snapshot = (StreamMessage.SnapshotMsg) stream.next();
    await().atMost(DEADLINE).until(() -> programmed().equals(Optional.of("False")));

    // It applies: Programmed again, with both replicas' dataplanes on the current version.
    stream.send(new StreamMessage.Ack(snapshot.version(), snapshot.nonce()));
    await().atMost(DEADLINE).until(() -> programmed().equals(Optional.of("True")));
    assertEquals(leader.store().current().version(), snapshot.version());
    assertEquals(Optional.of(snapshot.version()), Optional.ofNullable(follower.store().ackedVersions().get("dataplane-b")));

    // The follower's dataplane disconnects: its report now counts none, the leader's own still serves.
    dataplaneB.close();
    await().atMost(DEADLINE).until(() -> programmed().equals(Optional.of("True")));
  }

  private Optional<String> programmed() {
    ProxyRoute route = client.resources(ProxyRoute.class).inNamespace(NS).withName("api").get();
    if (route == null || route.getStatus() == null || route.getStatus().getConditions() == null) {
      return Optional.empty();
    }
    return route.getStatus().getConditions().stream()
        .filter(c -> "Programmed".equals(c.getType()))
        .map(Condition::getStatus)
        .findFirst();
  }
}
