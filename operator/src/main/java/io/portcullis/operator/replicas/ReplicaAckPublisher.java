package io.portcullis.operator.replicas;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.coordination.v1.LeaseBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.portcullis.operator.store.SnapshotStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what this replica's dataplanes acked on its own Lease ({@link ReplicaAckLease}), so
 * the leader can tell whether every dataplane of every replica serves a version.
 *
 * <p>Bounded rate: acks only mark the report dirty; a timer writes it at most once per {@link
 * Timings#minInterval()}, and otherwise renews it once per {@link Timings#heartbeat()} so the
 * leader can tell a live replica with nothing new from a dead one. A burst of acks from many
 * dataplanes is therefore one write, and a quiet replica costs one write per heartbeat. Each
 * replica writes only its own object: no conflicts between replicas, no read-modify-write.
 */
public final class ReplicaAckPublisher implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicaAckPublisher.class);

  /**
   * @param minInterval the shortest time between two writes (the delay acks may see)
   * @param heartbeat how often an unchanged report is renewed
   * @param validFor how long a report counts without a renew: several heartbeats
   */
  public record Timings(Duration minInterval, Duration heartbeat, Duration validFor) {
    public static final Timings DEFAULT =
        new Timings(Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(35));

    public Timings {
      Objects.requireNonNull(minInterval, "minInterval");
      Objects.requireNonNull(heartbeat, "heartbeat");
      Objects.requireNonNull(validFor, "validFor");
      if (minInterval.isNegative() || minInterval.isZero() || heartbeat.compareTo(minInterval) < 0) {
        throw new IllegalArgumentException("need 0 < minInterval <= heartbeat");
      }
      if (validFor.compareTo(heartbeat.multipliedBy(2)) < 0) {
        throw new IllegalArgumentException("validFor must cover at least two heartbeats");
      }
    }
  }

  private final KubernetesClient client;
  private final String namespace;
  private final String electionLease;
  private final String identity;
  private final String name;
  private final SnapshotStore store;
  private final Timings timings;
  private final Clock clock;
  private final AtomicBoolean dirty = new AtomicBoolean(true);
  private final ScheduledExecutorService executor;
  private Instant lastWrite = Instant.MIN;
  private boolean exists;
  private String lastError;

  public ReplicaAckPublisher(
      KubernetesClient client, String namespace, String electionLease, String identity,
      SnapshotStore store, Timings timings, Clock clock) {
    this.client = Objects.requireNonNull(client);
    this.namespace = Objects.requireNonNull(namespace);
    this.electionLease = Objects.requireNonNull(electionLease);
    this.identity = Objects.requireNonNull(identity);
    this.name = ReplicaAckLease.name(electionLease, identity);
    this.store = Objects.requireNonNull(store);
    this.timings = Objects.requireNonNull(timings);
    this.clock = Objects.requireNonNull(clock);
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "ack-report");
      t.setDaemon(true);
      return t;
    });
  }

  public void start() {
    store.onAck(() -> dirty.set(true));
    long period = timings.minInterval().toMillis();
    executor.scheduleWithFixedDelay(this::tick, 0, period, TimeUnit.MILLISECONDS);
  }

  /** The Lease this replica writes. */
  public String leaseName() {
    return name;
  }

  private void tick() {
    Instant now = clock.instant();
    boolean heartbeatDue = !now.isBefore(lastWrite.plus(timings.heartbeat()));
    if (!dirty.getAndSet(false) && !heartbeatDue) {
      return;
    }
    try {
      write(AckSummary.of(store), now);
      lastWrite = now;
      if (lastError != null) {
        LOG.info("ack report {}/{} written again", namespace, name);
        lastError = null;
      }
    } catch (KubernetesClientException e) {
      dirty.set(true); // try again next tick
      String error = e.getCode() + " " + e.getMessage();
      if (!error.equals(lastError)) {
        LOG.warn("cannot write ack report {}/{} (will retry): {}", namespace, name, e.getMessage());
        lastError = error;
      }
    }
  }

  private void write(AckSummary summary, Instant now) {
    ZonedDateTime renewTime = ZonedDateTime.ofInstant(now, ZoneOffset.UTC);
    if (exists) {
      // Only what changes: the summary and the renew. The model serializes renewTime as the
      // API's MicroTime.
      Lease patch = new LeaseBuilder()
          .withNewMetadata()
          .addToAnnotations(ReplicaAckLease.SUMMARY_ANNOTATION, summary.toJson())
          .endMetadata()
          .withNewSpec()
          .withHolderIdentity(identity)
          .withLeaseDurationSeconds((int) timings.validFor().toSeconds())
          .withRenewTime(renewTime)
          .endSpec()
          .build();
      try {
        client.resources(Lease.class).inNamespace(namespace).withName(name)
            .patch(PatchContext.of(PatchType.JSON_MERGE), client.getKubernetesSerialization().asJson(patch));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 404) {
          throw e;
        }
        exists = false; // deleted by someone: create it again
      }
    }
    Lease lease = new LeaseBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels(ReplicaAckLease.GROUP_LABEL, electionLease)
        .addToAnnotations(ReplicaAckLease.SUMMARY_ANNOTATION, summary.toJson())
        .endMetadata()
        .withNewSpec()
        .withHolderIdentity(identity)
        .withLeaseDurationSeconds((int) timings.validFor().toSeconds())
        .withAcquireTime(renewTime)
        .withRenewTime(renewTime)
        .endSpec()
        .build();
    try {
      client.resource(lease).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
      // Left by this pod's previous life (same name after a restart): take it over.
      exists = true;
      write(summary, now);
      return;
    }
    exists = true;
  }

  /** Stops reporting and deletes the report, so the leader stops counting these dataplanes at once. */
  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(2, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    try {
      client.resources(Lease.class).inNamespace(namespace).withName(name).delete();
    } catch (KubernetesClientException e) {
      LOG.warn("cannot delete ack report {}/{} (it expires on its own): {}", namespace, name, e.getMessage());
    }
  }
}
