package io.portcullis.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.crd.ProxyRouteStatus;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LoggingStatusSinkTest {
  private final List<String> terminal = new ArrayList<>();
  private final LoggingStatusSink sink = new LoggingStatusSink(
      (kind, namespace, name) -> name.equals("demo") ? Optional.of("manifests: 30-proxyroute.yaml:1: ") : Optional.empty(),
      terminal::add);
  private final ObjectRef demo = new ObjectRef("ProxyRoute", "default", "demo", 2, null);

  private static ProxyRouteStatus status(String accepted, String message) {
    ProxyRouteStatus status = new ProxyRouteStatus();
    List<Condition> conditions = List.of(
        new ConditionBuilder().withType("Accepted").withStatus(accepted).withReason("InvalidRoute").withMessage(message).build(),
        new ConditionBuilder().withType("ResolvedRefs").withStatus("True").withReason("ResolvedRefs").withMessage("").build(),
        new ConditionBuilder().withType("Programmed").withStatus("False").withReason("Pending").withMessage("").build());
    status.setConditions(new ArrayList<>(conditions));
    return status;
  }

  @Test
  void aRefusedRouteIsPrintedWithWhereItIsDefinedAndItsRecoveryToo() {
    sink.writeProxyRouteStatus(demo, status("False", "route api: bad regex"));
    sink.writeProxyRouteStatus(demo, status("True", ""));
    assertEquals(List.of(
        "manifests: 30-proxyroute.yaml:1: ProxyRoute default/demo: Accepted=False InvalidRoute: route api: bad regex",
        "manifests: 30-proxyroute.yaml:1: ProxyRoute default/demo: accepted now"), terminal);
  }

  @Test
  void warningEventsArePrintedAndNormalOnesOnlyLogged() {
    ObjectRef ingress = new ObjectRef("Ingress", "default", "web", 1, null);
    sink.recordEvent(ingress, new ObjectStatus.Event(true, "BackendNotFound", "Service default/ghost not found"));
    sink.recordEvent(ingress, new ObjectStatus.Event(false, "Synced", "ok"));
    assertEquals(List.of("manifests: Ingress default/web: BackendNotFound: Service default/ghost not found"), terminal);
  }

  @Test
  void anAcceptedRouteThatWasNeverRefusedPrintsNothing() {
    sink.writeProxyRouteStatus(demo, status("True", ""));
    assertEquals(List.of(), terminal);
  }
}
