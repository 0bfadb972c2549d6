package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The status a ProxyRoute should show: the compiler's conditions plus {@code Programmed}, each
 * keeping its {@code lastTransitionTime} while its status stays the same; and whether two
 * statuses differ in anything a reader cares about.
 */
final class ProxyRouteConditions {
  private final Clock clock;

  ProxyRouteConditions(Clock clock) {
    this.clock = clock;
  }

  /**
   * @param programmed every connected dataplane serves the route as compiled
   * @param before the status as written last (or as read), null for none
   */
  ProxyRouteStatus desired(
      ObjectRef ref, ObjectStatus status, boolean programmed, ProxyRouteStatus before) {
    List<ObjectStatus.Condition> conditions = new ArrayList<>(status.conditions());
    boolean accepted =
        status.conditions().stream().anyMatch(c -> StatusWriter.ACCEPTED.equals(c.type()) && c.status());
    if (!accepted) {
      conditions.add(
          new ObjectStatus.Condition(
              StatusWriter.PROGRAMMED, false, "Invalid", "the route is not accepted, so it is not served"));
    } else if (programmed) {
      conditions.add(
          new ObjectStatus.Condition(
              StatusWriter.PROGRAMMED, true, "Programmed", "every connected dataplane serves this route"));
    } else {
      conditions.add(
          new ObjectStatus.Condition(
              StatusWriter.PROGRAMMED, false, "Pending", "waiting for dataplanes to apply the new configuration"));
    }
    String now = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
    ProxyRouteStatus out = new ProxyRouteStatus();
    out.setObservedGeneration(ref.generation());
    List<Condition> converted = new ArrayList<>();
    for (ObjectStatus.Condition c : conditions) {
      String statusText = c.status() ? "True" : "False";
      Condition previous = find(before, c.type());
      String since =
          previous != null && statusText.equals(previous.getStatus())
                  && previous.getLastTransitionTime() != null
              ? previous.getLastTransitionTime()
              : now;
      converted.add(
          new ConditionBuilder()
              .withType(c.type())
              .withStatus(statusText)
              .withReason(c.reason())
              .withMessage(c.message())
              .withObservedGeneration(ref.generation())
              .withLastTransitionTime(since)
              .build());
    }
    out.setConditions(converted);
    return out;
  }

  private static Condition find(ProxyRouteStatus status, String type) {
    if (status == null || status.getConditions() == null) {
      return null;
    }
    return status.getConditions().stream()
        .filter(c -> type.equals(c.getType()))
        .findFirst()
        .orElse(null);
  }

  /** Equal in everything a reader cares about; lastTransitionTime follows from the rest. */
  static boolean same(ProxyRouteStatus a, ProxyRouteStatus b) {
    if (!Objects.equals(a.getObservedGeneration(), b.getObservedGeneration())) {
      return false;
    }
    List<Condition> x = a.getConditions() == null ? List.of() : a.getConditions();
    List<Condition> y = b.getConditions() == null ? List.of() : b.getConditions();
    if (x.size() != y.size()) {
      return false;
    }
    for (Condition c : y) {
      Condition d = find(a, c.getType());
      if (d == null
          || !Objects.equals(c.getStatus(), d.getStatus())
          || !Objects.equals(c.getReason(), d.getReason())
          || !Objects.equals(c.getMessage(), d.getMessage())
          || !Objects.equals(c.getObservedGeneration(), d.getObservedGeneration())) {
        return false;
      }
    }
    return true;
  }
}
