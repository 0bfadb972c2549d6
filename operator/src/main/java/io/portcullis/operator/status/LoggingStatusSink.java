package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Local mode: statuses and events as log lines, since there is no API server to hold them. What
 * a user must act on (a refused route, a warning event) is also handed to {@code problems}, one
 * line each, prefixed with the file and line that define the object: the terminal, where the
 * user who just saved a typo is looking.
 */
public final class LoggingStatusSink implements StatusSink {
  private static final Logger LOG = LoggerFactory.getLogger("portcullis.status");
  /** Conditions whose False the user caused; Programmed=False only follows them (or waits for an ack). */
  private static final List<String> USER_CONDITIONS = List.of("Accepted", "ResolvedRefs");

  /** Where an object is defined: {@code manifests: FILE:LINE: }. */
  @FunctionalInterface
  public interface Locator {
    Optional<String> locate(String kind, String namespace, String name);
  }

  private final Locator locator;
  private final Consumer<String> problems;
  /** Routes reported as refused, so their recovery is reported too. */
  private final Set<String> refused = ConcurrentHashMap.newKeySet();

  /** Only the log. */
  public LoggingStatusSink() {
    this((kind, namespace, name) -> Optional.empty(), line -> {});
  }

  public LoggingStatusSink(Locator locator, Consumer<String> problems) {
    this.locator = locator;
    this.problems = problems;
  }

  @Override
  public void writeProxyRouteStatus(ObjectRef route, ProxyRouteStatus status) {
    LOG.info(
        "status {} generation={} {}",
        route,
        status.getObservedGeneration(),
        status.getConditions().stream()
            .map(LoggingStatusSink::describe)
            .collect(Collectors.joining(" ")));
    List<Condition> failed = status.getConditions().stream()
        .filter(c -> USER_CONDITIONS.contains(c.getType()) && "False".equals(c.getStatus()))
        .toList();
    for (Condition c : failed) {
      problems.accept(where(route) + route + ": " + c.getType() + "=False " + c.getReason() + ": " + c.getMessage());
    }
    if (!failed.isEmpty()) {
      refused.add(route.toString());
    } else if (refused.remove(route.toString())) {
      problems.accept(where(route) + route + ": accepted now");
    }
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
      problems.accept(where(object) + object + ": " + event.reason() + ": " + event.message());
    } else {
      LOG.info("event {} {}: {}", object, event.reason(), event.message());
    }
  }

  private String where(ObjectRef object) {
    return locator.locate(object.kind(), object.namespace(), object.name()).orElse("manifests: ");
  }

  static String describe(Condition c) {
    return c.getType() + "=" + c.getStatus() + "(" + c.getReason() + ": " + c.getMessage() + ")";
  }
}
