package io.portcullis.operator.crd;

import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What crd-generator 7.x cannot express from annotations: the descriptions of the resource, its
 * spec and its status (it reads {@code @JsonPropertyDescription} on fields only), a pattern on the items of a
 * list of strings (it drops {@code @Pattern} on a {@code List<String>}: hosts, expected
 * statuses), and the order of printer
 * columns (it puts date columns first; kubectl users expect Age last). Both values come from the
 * model ({@link ProxyRouteSpec#HOST_PATTERN}), so the model stays the single source.
 */
final class CrdPostProcessor implements CRDPostProcessor {
  static final java.util.Map<String, String> CONDITION_FIELDS = java.util.Map.of(
      "type", "Accepted, ResolvedRefs or Programmed.",
      "status", "True, False or Unknown.",
      "reason", "A CamelCase word for the cause, such as InvalidRoute or BackendNotFound.",
      "message", "What happened, naming the route and field.",
      "observedGeneration", "The metadata.generation this condition was computed from.",
      "lastTransitionTime", "When status last changed.");

  static final List<String> COLUMN_ORDER = List.of("Hosts", "Accepted", "Programmed", "Age");

  @Override
  public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
    for (CustomResourceDefinitionVersion version : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
      JSONSchemaProps hosts = version.getSchema().getOpenAPIV3Schema()
          .getProperties().get("spec").getProperties().get("hosts");
      JSONSchemaProps item = hosts.getItems().getSchema();
      item.setPattern(ProxyRouteSpec.HOST_PATTERN);
      item.setMaxLength(253L);
      JSONSchemaProps route = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec")
          .getProperties().get("routes").getItems().getSchema();
      statusPattern(route);
      statusPattern(route.getProperties().get("backends").getItems().getSchema());
      JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
      root.setDescription(ProxyRouteSpec.DESCRIPTION);
      root.getProperties().get("spec").setDescription(ProxyRouteSpec.SPEC_DESCRIPTION);
      root.getProperties().get("status").setDescription(ProxyRouteSpec.STATUS_DESCRIPTION);
      // Condition is Kubernetes' own type, so its fields are described here, in its words.
      JSONSchemaProps condition = root.getProperties().get("status").getProperties().get("conditions")
          .getItems().getSchema();
      CONDITION_FIELDS.forEach((field, description) ->
          condition.getProperties().get(field).setDescription(description));
      List<CustomResourceColumnDefinition> columns = new ArrayList<>(version.getAdditionalPrinterColumns());
      columns.sort(Comparator.comparingInt(c -> COLUMN_ORDER.indexOf(c.getName())));
      version.setAdditionalPrinterColumns(columns);
    }
    return crd;
  }

  private static void statusPattern(JSONSchemaProps owner) {
    owner.getProperties().get("healthCheck").getProperties().get("expectedStatuses")
        .getItems().getSchema().setPattern(ProxyRouteSpec.STATUS_RANGE);
  }
}
