package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;

/** Status of a ProxyRoute: the generation last compiled and the Accepted, ResolvedRefs and Programmed conditions. */
public class ProxyRouteStatus {
  @JsonPropertyDescription("The metadata.generation the conditions describe: when it is behind metadata.generation, the operator has not compiled the latest change yet.")
  private Long observedGeneration;

  @JsonPropertyDescription("Accepted (the route is valid), ResolvedRefs (its Services and Secrets exist and are usable) and Programmed (every connected dataplane serves it), each with a reason and a message.")
  private List<Condition> conditions = new ArrayList<>();

  public Long getObservedGeneration() {
    return observedGeneration;
  }

  public void setObservedGeneration(Long observedGeneration) {
    this.observedGeneration = observedGeneration;
  }

  public List<Condition> getConditions() {
    return conditions;
  }

  public void setConditions(List<Condition> conditions) {
    this.conditions = conditions;
  }
}
