package io.portcullis.operator.replicas;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.portcullis.operator.status.ProgrammedCheck;
import io.portcullis.operator.store.SnapshotStore;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * {@code Programmed} across operator replicas: a version is programmed when at least one dataplane
 * runs anywhere, and every dataplane connected to this replica (from the store) and to every other
 * live replica (from its {@link ReplicaAckLease} report) acked this version or a later one.
 *
 * <p>"Later" is judged by this replica's own publication order: both replicas compile the same
 * cluster into the same content-hashed versions, so a version another replica's dataplane acked
 * is one this replica published too, or will shortly. A version this replica does not know
 * (another replica is ahead, or compiled something this one never saw) does not count as served
 * until this replica catches up: Programmed stays False a moment longer, never True too early.
 */
public final class ClusterAcks implements ProgrammedCheck, AutoCloseable {
  private final SnapshotStore store;
  private final String identity;
  private final Clock clock;
  private final SharedIndexInformer<Lease> reports;

  /** Watches the reports of the replicas electing on {@code electionLease} in {@code namespace}. */
  public ClusterAcks(KubernetesClient client, String namespace, String electionLease, String identity,
      SnapshotStore store, Clock clock) {
    this.store = Objects.requireNonNull(store);
    this.identity = Objects.requireNonNull(identity);
    this.clock = Objects.requireNonNull(clock);
    this.reports = client.resources(Lease.class).inNamespace(namespace)
        .withLabel(ReplicaAckLease.GROUP_LABEL, electionLease)
        .runnableInformer(0);
  }

  public void start() {
    reports.start();
  }

  /** Runs {@code listener} when another replica's report arrives, changes or goes. Call before start. */
  public void onReportsChanged(Runnable listener) {
    reports.addEventHandler(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<Lease>() {
      @Override
      public void onAdd(Lease lease) {
        listener.run();
      }

      @Override
      public void onUpdate(Lease before, Lease after) {
        listener.run();
      }

      @Override
      public void onDelete(Lease lease, boolean finalStateUnknown) {
        listener.run();
      }
    });
  }

  /** Dataplanes connected to this replica and to every other live one. */
  public int dataplaneCount() {
    int count = store.connectedCount();
    for (ReplicaAckLease.Report report : otherReplicas()) {
      count += report.summary().connected();
    }
    return count;
  }

  @Override
  public boolean isProgrammed(String version) {
    Optional<Long> wanted = store.sequenceOf(version);
    if (wanted.isEmpty()) {
      return false;
    }
    int dataplanes = 0;
    for (SnapshotStore.Dataplane d : store.dataplanes()) {
      dataplanes++;
      if (!servesAtLeast(d.ackedVersion(), wanted.get())) {
        return false;
      }
    }
    for (ReplicaAckLease.Report report : otherReplicas()) {
      AckSummary summary = report.summary();
      dataplanes += summary.connected();
      if (summary.unacked() > 0) {
        return false;
      }
      for (Map.Entry<String, Integer> acked : summary.acked().entrySet()) {
        if (!servesAtLeast(acked.getKey(), wanted.get())) {
          return false;
        }
      }
    }
    return dataplanes > 0;
  }

  /** The live reports of the other replicas (this one's own counts come from the store). */
  public List<ReplicaAckLease.Report> otherReplicas() {
    ZonedDateTime now = ZonedDateTime.now(clock);
    List<ReplicaAckLease.Report> live = new ArrayList<>();
    for (Lease lease : reports.getStore().list()) {
      ReplicaAckLease.read(lease)
          .filter(r -> !r.identity().equals(identity) && !r.expiredAt(now))
          .ifPresent(live::add);
    }
    return live;
  }

  private boolean servesAtLeast(String acked, long wanted) {
    return store.sequenceOf(acked).map(s -> s >= wanted).orElse(false);
  }

  @Override
  public void close() {
    reports.close();
  }
}
