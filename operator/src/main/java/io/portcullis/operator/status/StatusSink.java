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
}
