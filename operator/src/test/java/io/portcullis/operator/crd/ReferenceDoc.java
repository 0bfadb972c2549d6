package io.portcullis.operator.crd;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceColumnDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.ValidationRule;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Renders {@code docs/proxyroute.md} from the generated CRD: one table per object, a row per
 * field with its type, its limits and its description. Everything comes from the schema, which
 * comes from the Java model, so a field added there appears here when the file is regenerated.
 */
final class ReferenceDoc {
  /** Patterns of the model, named the way a reader thinks of them. */
  private static final Map<String, String> PATTERN_NAMES = Map.of(
      ProxyRouteSpec.DURATION, "duration: `500ms`, `15s`, `2m`, `1h`",
      ProxyRouteSpec.PATH_PATTERN, "absolute path, no query",
      ProxyRouteSpec.DNS_LABEL, "DNS label",
      ProxyRouteSpec.DNS_NAME, "DNS name",
      ProxyRouteSpec.HOST_PATTERN, "DNS name or `*.` wildcard",
      ProxyRouteSpec.HEADER_NAME, "header name",
      ProxyRouteSpec.STATUS_RANGE, "status or range: `404`, `200-299`",
      "^/", "starts with `/`");

  private final StringBuilder out = new StringBuilder();
  /** Object schemas already written, by path, so a repeated shape links to its first table. */
  private final Map<String, JSONSchemaProps> written = new LinkedHashMap<>();

  private ReferenceDoc() {}

  static String render(CustomResourceDefinition crd, String regenerate) {
    return new ReferenceDoc().document(crd, regenerate);
  }

  private String document(CustomResourceDefinition crd, String regenerate) {
    CustomResourceDefinitionVersion version = crd.getSpec().getVersions().get(0);
    JSONSchemaProps root = version.getSchema().getOpenAPIV3Schema();
    out.append("# ProxyRoute reference\n\n")
        .append("<!-- GENERATED from the Java model (operator/src/main/java/io/portcullis/operator/crd/)"
            + " by ProxyRouteCrdTest. Do not edit: change the model, then run\n     ")
        .append(regenerate).append(" -->\n\n")
        .append("`").append(crd.getSpec().getGroup()).append('/').append(version.getName()).append("`, kind `")
        .append(crd.getSpec().getNames().getKind()).append("`, ").append(crd.getSpec().getScope().toLowerCase())
        .append(", short name `").append(String.join("`, `", crd.getSpec().getNames().getShortNames()))
        .append("`. ").append(root.getDescription()).append("\n\n")
        .append("`kubectl get proxyroutes` shows ")
        .append(version.getAdditionalPrinterColumns().stream().map(CustomResourceColumnDefinition::getName)
            .map(n -> "`" + n.toUpperCase() + "`").collect(Collectors.joining(", ")))
        .append("; `kubectl explain proxyroute.spec.routes` (and so on down) prints the descriptions"
            + " below. Durations are written `500ms`, `15s`, `2m` or `1h`.\n");
    object("spec", root.getProperties().get("spec"), root.getProperties().get("spec").getDescription());
    object("status", root.getProperties().get("status"), root.getProperties().get("status").getDescription());
    return out.toString();
  }

  private void object(String path, JSONSchemaProps schema, String description) {
    written.put(path, schema);
    out.append("\n## `").append(path).append("`\n\n");
    if (description != null) {
      out.append(cell(description)).append("\n\n");
    }
    for (ValidationRule rule : rules(schema)) {
      out.append("Rule: ").append(rule.getMessage()).append(".\n\n");
    }
    out.append("| field | type | description |\n| --- | --- | --- |\n");
    List<Map.Entry<String, JSONSchemaProps>> nested = new ArrayList<>();
    Map<String, String> descriptions = new LinkedHashMap<>();
    List<String> required = schema.getRequired() == null ? List.of() : schema.getRequired();
    for (Map.Entry<String, JSONSchemaProps> field : schema.getProperties().entrySet()) {
      JSONSchemaProps value = field.getValue();
      String childPath = path + "." + field.getKey();
      JSONSchemaProps objectSchema = value;
      if ("array".equals(value.getType()) && value.getItems() != null && value.getItems().getSchema() != null) {
        objectSchema = value.getItems().getSchema();
        childPath += "[]";
      }
      String link = null;
      if ("object".equals(objectSchema.getType()) && objectSchema.getProperties() != null
          && !objectSchema.getProperties().isEmpty()) {
        String previous = firstWith(objectSchema);
        if (previous == null) {
          nested.add(Map.entry(childPath, objectSchema));
          descriptions.put(childPath, value.getDescription());
          written.put(childPath, objectSchema);
          link = childPath;
        } else {
          link = previous;
        }
      }
      out.append("| `").append(field.getKey()).append("` | ")
          .append(type(value, link, required.contains(field.getKey()))).append(" | ")
          .append(cell(value.getDescription())).append(" |\n");
    }
    for (Map.Entry<String, JSONSchemaProps> child : nested) {
      written.remove(child.getKey());
      object(child.getKey(), child.getValue(), descriptions.get(child.getKey()));
    }
  }

  private String firstWith(JSONSchemaProps schema) {
    for (Map.Entry<String, JSONSchemaProps> seen : written.entrySet()) {
      if (seen.getValue().getProperties().equals(schema.getProperties())) {
        return seen.getKey();
      }
    }
    return null;
  }

  private static List<ValidationRule> rules(JSONSchemaProps schema) {
    return schema.getXKubernetesValidations() == null ? List.of() : schema.getXKubernetesValidations();
  }

  /** {@code []object ([spec.routes[]](#...)), required, 1 to 256 items}. */
  private static String type(JSONSchemaProps value, String link, boolean required) {
    List<String> parts = new ArrayList<>();
    JSONSchemaProps element = value;
    String prefix = "";
    if ("array".equals(value.getType())) {
      element = value.getItems() == null ? new JSONSchemaProps() : value.getItems().getSchema();
      prefix = "list of ";
    }
    String base = element.getType() == null ? "any" : element.getType();
    if ("object".equals(base) && element.getAdditionalProperties() != null
        && element.getAdditionalProperties().getSchema() != null) {
      base = "map of " + element.getAdditionalProperties().getSchema().getType();
    }
    if (link != null) {
      base = "[" + base + "](#" + anchor(link) + ")";
    }
    parts.add(prefix + base);
    if (required) {
      parts.add("**required**");
    }
    bounds(value, parts);
    if (element != value) {
      bounds(element, parts);
    }
    for (ValidationRule rule : rules(value)) {
      parts.add(rule.getMessage());
    }
    return String.join(", ", parts);
  }

  private static void bounds(JSONSchemaProps s, List<String> parts) {
    if (s.getEnum() != null && !s.getEnum().isEmpty()) {
      parts.add("one of " + s.getEnum().stream().map(e -> "`" + e.asText() + "`").collect(Collectors.joining(", ")));
    }
    if (s.getPattern() != null) {
      parts.add(PATTERN_NAMES.getOrDefault(s.getPattern(), "pattern `" + s.getPattern() + "`"));
    }
    if (s.getMinimum() != null || s.getMaximum() != null) {
      parts.add(range(s.getMinimum(), s.getMaximum(), ""));
    }
    if (s.getMinItems() != null || s.getMaxItems() != null) {
      parts.add(range(s.getMinItems() == null ? null : s.getMinItems().doubleValue(),
          s.getMaxItems() == null ? null : s.getMaxItems().doubleValue(), " items"));
    }
    if (s.getMaxLength() != null) {
      parts.add("at most " + s.getMaxLength() + " characters");
    }
  }

  private static String range(Double min, Double max, String unit) {
    if (min != null && max != null) {
      return number(min) + " to " + number(max) + unit;
    }
    return min != null ? "at least " + number(min) + unit : "at most " + number(max) + unit;
  }

  private static String number(double d) {
    return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
  }

  /** GitHub's heading anchors: lower case, punctuation dropped. */
  static String anchor(String path) {
    return path.toLowerCase().replaceAll("[^a-z0-9 -]", "");
  }

  private static String cell(String text) {
    return text == null ? "" : text.replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;");
  }
}
