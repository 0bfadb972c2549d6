package io.portcullis.operator.compile;

import java.util.List;

/**
 * The compiler's verdict on one object.
 *
 * @param conditions {@code Accepted} and {@code ResolvedRefs} (the status writer adds
 *     {@code Programmed}); for Ingresses only carried in Events and logs
 * @param events to emit on the object, deduplicated by the writer
 * @param routeNames names of the snapshot routes this object produced, so the writer can tell
 *     when a dataplane serves them
 */
public record ObjectStatus(
    ObjectRef object, List<Condition> conditions, List<Event> events, List<String> routeNames) {

  public ObjectStatus {
    conditions = List.copyOf(conditions);
    events = List.copyOf(events);
    routeNames = List.copyOf(routeNames);
  }

  /** A status condition, Kubernetes style. */
  public record Condition(String type, boolean status, String reason, String message) {}

  /** An Event to record on the object. */
  public record Event(boolean warning, String reason, String message) {}
}
