package io.portcullis.operator.replicas;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-replica Lease that carries an {@link AckSummary}: its name, its labels, and how to read
 * one back. A Lease because it is the API's object for exactly this, a heartbeat with a holder and
 * a duration (kubelets and kube-apiservers publish their liveness the same way), and because the
 * operator already has RBAC on Leases in its own namespace.
 */
public final class ReplicaAckLease {
  /** Label naming the election Lease a report belongs to: replicas of one class share it. */
  public static final String GROUP_LABEL = "portcullis.io/acks-for";

  /** Annotation holding the summary as JSON. */
  public static final String SUMMARY_ANNOTATION = "portcullis.io/dataplane-acks";

  private ReplicaAckLease() {}

  /** {@code <election lease>.<identity>}: dots are legal in a Lease name, and keep it unambiguous. */
  public static String name(String electionLease, String identity) {
    String name = electionLease + "." + identity.toLowerCase(java.util.Locale.ROOT);
    return name.length() <= 253 ? name : name.substring(0, 253).replaceAll("[-.]+$", "");
  }

  /** A report read from a Lease. */
  public record Report(String identity, AckSummary summary, ZonedDateTime renewedAt, Duration validFor) {
    public Report {
      Objects.requireNonNull(identity);
      Objects.requireNonNull(summary);
      Objects.requireNonNull(renewedAt);
      Objects.requireNonNull(validFor);
    }

    /** A replica that stopped renewing (crashed, partitioned) no longer counts. */
    public boolean expiredAt(ZonedDateTime now) {
      return !renewedAt.plus(validFor).isAfter(now);
    }
  }

  /** Empty when the Lease carries no readable report (written by something else, or half-made). */
  public static Optional<Report> read(Lease lease) {
    if (lease.getSpec() == null
        || lease.getSpec().getHolderIdentity() == null
        || lease.getSpec().getRenewTime() == null
        || lease.getSpec().getLeaseDurationSeconds() == null) {
      return Optional.empty();
    }
    Map<String, String> annotations = lease.getMetadata().getAnnotations();
    String json = annotations == null ? null : annotations.get(SUMMARY_ANNOTATION);
    if (json == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Report(
          lease.getSpec().getHolderIdentity(),
          AckSummary.fromJson(json),
          lease.getSpec().getRenewTime(),
          Duration.ofSeconds(lease.getSpec().getLeaseDurationSeconds())));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
