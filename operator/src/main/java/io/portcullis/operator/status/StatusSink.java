package io.portcullis.operator.status;

import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;

/**
 * Where statuses and events go: the API server ({@link KubernetesStatusSink}) or, in local mode
 * where there is none, the log ({@link LoggingStatusSink}). The {@link StatusWriter} decides what
 * changed and calls a sink only then; a sink that throws is retried on the writer's next pass.
 */
public interface StatusSink {

  /**
   * Replaces {@code status.loadBalancer.ingress} of one Ingress (the only status an Ingress has).
   * The default, for sinks that do not keep statuses, does nothing.
   */
  default void writeIngressLoadBalancer(ObjectRef ingress, java.util.List<LoadBalancerAddress> addresses) {}

  /** Replaces the status of one ProxyRoute. */
  void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status);

  /**
   * Records one occurrence of an event on an object. The writer calls this when the event
   * (object, reason, message) appears, not on every compile that still reports it.
   */
  void recordEvent(ObjectRef object, ObjectStatus.Event event);

  /**
   * Records the events that appeared in one pass of the writer, together, so a sink can combine
   * similar ones (one cause on many objects). The default records them one by one.
   *
   * @return the occurrences that could not be recorded and should be offered again
   */
  default java.util.List<EventCorrelator.Occurrence> recordEvents(
      java.util.List<EventCorrelator.Occurrence> occurrences) {
    java.util.List<EventCorrelator.Occurrence> failed = new java.util.ArrayList<>();
    for (EventCorrelator.Occurrence o : occurrences) {
      try {
        recordEvent(o.object(), o.event());
      } catch (RuntimeException e) {
        failed.add(o);
      }
    }
    return failed;
  }
}
