package io.portcullis.operator.leader;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class LeaderElectionTest {
  private static final String NAMESPACE = "portcullis-system";
  private static final String LEASE = LeaderElection.leaseName("portcullis");
  // Short, but with the same proportions as the defaults; takeover after a release needs only
  // a retry period, takeover after a silent death a lease duration.
  private static final LeaderElection.Timings FAST =
      new LeaderElection.Timings(Duration.ofMillis(1500), Duration.ofMillis(1000), Duration.ofMillis(100));
  private static final Duration DEADLINE = Duration.ofSeconds(10);

  KubernetesClient client;
  private final List<LeaderElection> started = new CopyOnWriteArrayList<>();

  @AfterEach
  void closeAll() {
    started.forEach(LeaderElection::close);
  }

  private LeaderElection elector(String identity, Recorder recorder) {
    return elector(identity, recorder, FAST);
  }

  private LeaderElection elector(String identity, Recorder recorder, LeaderElection.Timings timings) {
    LeaderElection election = new LeaderElection(client, NAMESPACE, LEASE, identity, timings, recorder);
    started.add(election);
    election.start();
    return election;
  }

  @Test
  void twoReplicasElectExactlyOneLeaderAndItStaysTheOnlyOne() {
    Recorder recA = new Recorder();
    Recorder recB = new Recorder();
    LeaderElection a = elector("operator-a", recA);
    LeaderElection b = elector("operator-b", recB);

    await().atMost(DEADLINE).until(() -> a.isLeader() || b.isLeader());
    // Several renew rounds later, still exactly one.
    await()
        .during(Duration.ofMillis(1200))
        .atMost(DEADLINE)
        .until(() -> a.isLeader() ^ b.isLeader());

    LeaderElection leader = a.isLeader() ? a : b;
    LeaderElection follower = leader == a ? b : a;
    Lease lease = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
    assertEquals(leader.identity(), lease.getSpec().getHolderIdentity());
    await().atMost(DEADLINE).until(() -> follower.currentLeader().equals(Optional.of(leader.identity())));
    assertEquals(1, recA.started.get() + recB.started.get(), "one startedLeading in total");
  }

  @Test
  void whenTheLeaderStopsItReleasesTheLeaseAndTheOtherReplicaTakesOverAtOnce() {
    // A lease far longer than the deadline: only the release on close explains a takeover.
    LeaderElection.Timings longLease =
        new LeaderElection.Timings(Duration.ofMinutes(5), Duration.ofMinutes(4), Duration.ofMillis(100));
    Recorder recA = new Recorder();
    LeaderElection a = elector("operator-a", recA, longLease);
    await().atMost(DEADLINE).until(a::isLeader);

    Recorder recB = new Recorder();
    LeaderElection b = elector("operator-b", recB, longLease);
    await().atMost(DEADLINE).until(() -> b.currentLeader().isPresent());
    assertFalse(b.isLeader(), "the second replica waits while the first holds the lease");

    a.close();
    assertFalse(a.isLeader());
    assertEquals(1, recA.stopped.get(), "the old leader is told it stopped leading");

    await().atMost(DEADLINE).until(b::isLeader);
    assertEquals(1, recB.started.get());
    assertTrue(recB.leaders.containsAll(List.of("operator-a", "operator-b")), recB.leaders::toString);
    assertEquals(
        "operator-b",
        client.leases().inNamespace(NAMESPACE).withName(LEASE).get().getSpec().getHolderIdentity());
  }

  @Test
  void closingTheLeaderClearsTheHolderInTheStoredLease() {
    Recorder rec = new Recorder();
    LeaderElection a = elector("operator-a", rec);
    await().atMost(DEADLINE).until(a::isLeader);

    a.close();

    Lease stored = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
    String holder = stored.getSpec().getHolderIdentity();
    assertTrue(holder == null || holder.isEmpty(), "holder after release: " + holder);
    assertEquals(1, stored.getSpec().getLeaseDurationSeconds());
  }

  @Test
  void aLeaderThatVanishesWithoutReleasingIsReplacedOnceItsLeaseExpires() {
    // The lease names a holder whose pod is gone: it will never renew nor release it.
    client
        .leases()
        .inNamespace(NAMESPACE)
        .resource(
            new LeaseBuilder()
                .withNewMetadata()
                .withName(LEASE)
                .withNamespace(NAMESPACE)
                .endMetadata()
                .withNewSpec()
                .withHolderIdentity("operator-ghost")
                .withLeaseDurationSeconds(1)
                .withAcquireTime(ZonedDateTime.now())
                .withRenewTime(ZonedDateTime.now())
                .withLeaseTransitions(0)
                .endSpec()
                .build())
        .create();

    Recorder recB = new Recorder();
    LeaderElection b = elector("operator-b", recB);
    await().atMost(DEADLINE).until(() -> b.currentLeader().equals(Optional.of("operator-ghost")));
    assertFalse(b.isLeader(), "an unexpired lease is respected");
    await().atMost(DEADLINE).until(b::isLeader);
    assertEquals(List.of("operator-ghost", "operator-b"), recB.leaders);
  }

  @Test
  void aLeaderWhoseLeaseIsTakenStopsLeadingAndRunsAgain() {
    Recorder recA = new Recorder();
    LeaderElection a = elector("operator-a", recA);
    await().atMost(DEADLINE).until(a::isLeader);

    // Someone else writes the lease (a partition healed, the API server was restored...).
    await()
        .atMost(DEADLINE)
        .ignoreExceptions() // a 409 when a renew lands between our get and update: try again
        .until(
            () -> {
              Lease lease = client.leases().inNamespace(NAMESPACE).withName(LEASE).get();
              lease.getSpec().setHolderIdentity("operator-ghost");
              lease.getSpec().setLeaseDurationSeconds(1);
              lease.getSpec().setRenewTime(ZonedDateTime.now());
              client.leases().inNamespace(NAMESPACE).resource(lease).update();
              return true;
            });

    await().atMost(DEADLINE).until(() -> !a.isLeader());
    assertEquals(1, recA.stopped.get(), "stopped leading once its renew deadline passed");
    // The ghost never renews: a is still a candidate and wins the lease back.
    await().atMost(DEADLINE).until(a::isLeader);
    assertEquals(2, recA.started.get());
    assertTrue(recA.leaders.contains("operator-ghost"), recA.leaders::toString);
  }

  @Test
  void leaseNamespaceComesFromThePodElseTheClient() {
    assertEquals("ops", LeaderElection.namespaceFrom(Map.of("POD_NAMESPACE", "ops"), client));
    assertEquals(client.getNamespace(), LeaderElection.namespaceFrom(Map.of(), client));
  }

  @Test
  void identityIsThePodName() {
    assertEquals("op-1", LeaderElection.identityFrom(Map.of("POD_NAME", "op-1", "HOSTNAME", "h")));
    assertEquals("h", LeaderElection.identityFrom(Map.of("HOSTNAME", "h")));
    assertThrows(IllegalStateException.class, () -> LeaderElection.identityFrom(Map.of()));
  }

  @Test
  void timingsThatCouldLetTwoReplicasLeadAreRejected() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new LeaderElection.Timings(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(1)));
    assertThrows(
        IllegalArgumentException.class,
        () -> new LeaderElection.Timings(Duration.ofSeconds(15), Duration.ofSeconds(2), Duration.ofSeconds(2)));
    assertTrue(LeaderElection.Timings.DEFAULT.renewDeadline().compareTo(LeaderElection.Timings.DEFAULT.leaseDuration()) < 0);
  }

  @Test
  void leaseNamesAreValidKubernetesNames() {
    assertEquals("portcullis-portcullis-leader", LeaderElection.leaseName("portcullis"));
    assertThrows(IllegalArgumentException.class, () -> LeaderElection.leaseName("Bad_Class"));
  }

  private static final class Recorder implements LeaderElection.Listener {
    final AtomicInteger started = new AtomicInteger();
    final AtomicInteger stopped = new AtomicInteger();
    final List<String> leaders = new CopyOnWriteArrayList<>();

    @Override
    public void startedLeading() {
      started.incrementAndGet();
    }

    @Override
    public void stoppedLeading() {
      stopped.incrementAndGet();
    }

    @Override
    public void newLeader(String identity) {
      leaders.add(identity);
    }
  }
}
