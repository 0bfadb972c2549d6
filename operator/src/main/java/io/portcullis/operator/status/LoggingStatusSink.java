package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Local mode: statuses and events as log lines, since there is no API server to hold them. */
public final class LoggingStatusSink implements StatusSink {
  private static final Logger LOG = LoggerFactory.getLogger("portcullis.status");

  @Override
  public void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status) {
    LOG.info(
        "status {} generation={} {}",
        route,
        status.getObservedGeneration(),
        status.getConditions().stream()
            .map(LoggingStatusSink::describe)
            .collect(Collectors.joining(" ")));
  }

  @Override
  public void writeIngressLoadBalancer(
      ObjectRef ingress, java.util.List<LoadBalancerAddress> addresses) {
    LOG.info("status {} loadBalancer={}", ingress, addresses);
  }

  @Override
  public void recordEvent(ObjectRef object, ObjectStatus.Event event) {
    if (event.warning()) {
      LOG.warn("event {} {}: {}", object, event.reason(), event.message());
    } else {
      LOG.info("event {} {}: {}", object, event.reason(), event.message());
    }
  }

  static String describe(Condition c) {
    return c.getType() + "=" + c.getStatus() + "(" + c.getReason() + ": " + c.getMessage() + ")";
  }
}
