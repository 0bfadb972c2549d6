package io.portcullis.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The checked-in CRD is exactly what fabric8's crd-generator makes of the Java model, and that
 * schema refuses malformed ProxyRoutes at the API server; every field has a description, and
 * {@code docs/proxyroute.md} is rendered from the same schema. After changing the model,
 * regenerate all three copies (crds/, the chart's crds/, the reference) with {@link #REGENERATE},
 * then {@code deploy/portcullis.yaml} (DeployManifestsTest).
 */
class ProxyRouteCrdTest {
  /** Surefire runs in the module directory; the CRDs live at the repository root. */
  static final Path CHECKED_IN = Path.of("..", "crds", "portcullis.io_proxyroutes.yaml");
  static final Path CHART_COPY = Path.of("..", "charts", "portcullis", "crds", "portcullis.io_proxyroutes.yaml");
  static final Path REFERENCE = Path.of("..", "docs", "proxyroute.md");
  static final String REGENERATE = "mvn -B -q -pl operator -am test -Dtest=ProxyRouteCrdTest"
      + " -Dsurefire.failIfNoSpecifiedTests=false -Dportcullis.crd.update=true";

  private static String reference;

  private static String generated;
  private static JSONSchemaProps spec;
  private static CustomResourceDefinitionVersion version;

  @BeforeAll
  static void generate() throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new CRDGenerator()
        .customResourceClasses(ProxyRoute.class)
        .forCRDVersions("v1")
        .withPostProcessor(new CrdPostProcessor())
        .withOutput(new CRDGenerator.CRDOutput<ByteArrayOutputStream>() {
          @Override
          public ByteArrayOutputStream outputFor(String crdName) {
            return out;
          }

          @Override
          public void close() {}
        })
        .generate();
    generated = out.toString(StandardCharsets.UTF_8);
    CustomResourceDefinition crd = Serialization.unmarshal(generated, CustomResourceDefinition.class);
    reference = ReferenceDoc.render(crd, REGENERATE);
    if (Boolean.getBoolean("portcullis.crd.update")) {
      Files.writeString(CHECKED_IN, generated, StandardCharsets.UTF_8);
      Files.writeString(CHART_COPY, generated, StandardCharsets.UTF_8);
      Files.createDirectories(REFERENCE.getParent());
      Files.writeString(REFERENCE, reference, StandardCharsets.UTF_8);
    }
    version = crd.getSpec().getVersions().get(0);
    spec = version.getSchema().getOpenAPIV3Schema().getProperties().get("spec");
  }

  private static JSONSchemaProps at(JSONSchemaProps from, String... path) {
    JSONSchemaProps p = from;
    for (String step : path) {
      p = step.equals("[]") ? p.getItems().getSchema() : p.getProperties().get(step);
      assertNotNull(p, () -> "no schema at " + String.join(".", path));
    }
    return p;
  }

  @Test
  @DisplayName("the checked-in crds/portcullis.io_proxyroutes.yaml equals what the model generates")
  void checkedInMatchesModel() throws IOException {
    assertEquals(generated, Files.readString(CHECKED_IN, StandardCharsets.UTF_8),
        "crds/ is stale: regenerate with " + REGENERATE);
  }

  @Test
  @DisplayName("docs/proxyroute.md is what the model renders")
  void referenceMatchesModel() throws IOException {
    assertEquals(reference, Files.readString(REFERENCE, StandardCharsets.UTF_8),
        "docs/proxyroute.md is stale: regenerate with " + REGENERATE);
  }

  @Test
  @DisplayName("every field has a description, so kubectl explain says what it does")
  void everyFieldIsDescribed() {
    List<String> undescribed = new java.util.ArrayList<>();
    undescribed(version.getSchema().getOpenAPIV3Schema(), "", undescribed);
    assertEquals(List.of(), undescribed,
        "add @JsonPropertyDescription to these fields of ProxyRouteSpec (see the crd package-info)");
  }

  private static void undescribed(JSONSchemaProps schema, String path, List<String> into) {
    if (schema.getProperties() != null) {
      for (var field : schema.getProperties().entrySet()) {
        String at = path.isEmpty() ? field.getKey() : path + "." + field.getKey();
        if (at.startsWith("metadata") || at.startsWith("apiVersion") || at.startsWith("kind")) {
          continue;
        }
        if (field.getValue().getDescription() == null || field.getValue().getDescription().isBlank()) {
          into.add(at);
        }
        undescribed(field.getValue(), at, into);
      }
    }
    if (schema.getItems() != null && schema.getItems().getSchema() != null) {
      undescribed(schema.getItems().getSchema(), path + "[]", into);
    }
  }

  @Test
  @DisplayName("hosts and routes are required and need at least one entry")
  void requiredLists() {
    assertTrue(spec.getRequired().containsAll(List.of("hosts", "routes")), () -> "required: " + spec.getRequired());
    assertEquals(1L, at(spec, "hosts").getMinItems());
    assertEquals(1L, at(spec, "routes").getMinItems());
  }

  @Test
  @DisplayName("hosts must be DNS names or leading-label wildcards")
  void hostPattern() {
    JSONSchemaProps hosts = at(spec, "hosts");
    String pattern = hosts.getItems() != null && hosts.getItems().getSchema() != null
        ? hosts.getItems().getSchema().getPattern() : hosts.getPattern();
    assertNotNull(pattern, "hosts carry a pattern");
    java.util.regex.Pattern p = java.util.regex.Pattern.compile(pattern);
    assertTrue(p.matcher("shop.example.com").matches());
    assertTrue(p.matcher("*.example.com").matches());
    assertTrue(!p.matcher("shop.*.com").matches());
    assertTrue(!p.matcher("Shop_1.example.com").matches());
  }

  @Test
  @DisplayName("a backend needs service and port; port is 1..65535 and weight 0..1000000")
  void backendBounds() {
    JSONSchemaProps backend = at(spec, "routes", "[]", "backends", "[]");
    assertTrue(backend.getRequired().containsAll(List.of("service", "port")));
    assertEquals(1.0, at(backend, "port").getMinimum());
    assertEquals(65535.0, at(backend, "port").getMaximum());
    assertEquals(0.0, at(backend, "weight").getMinimum());
    assertEquals(1_000_000.0, at(backend, "weight").getMaximum());
    assertEquals(1L, at(spec, "routes", "[]", "backends").getMinItems());
  }

  @Test
  @DisplayName("methods and redirect scheme are enums; redirect status is limited to redirects")
  void enums() {
    List<String> methods = at(spec, "routes", "[]", "match", "methods", "[]").getEnum().stream()
        .map(j -> j.asText()).collect(Collectors.toList());
    assertTrue(methods.containsAll(List.of("GET", "POST", "PATCH")), () -> "methods: " + methods);
    List<String> schemes = at(spec, "routes", "[]", "redirect", "scheme").getEnum().stream()
        .map(j -> j.asText()).collect(Collectors.toList());
    assertEquals(List.of("http", "https"), schemes);
    JSONSchemaProps status = at(spec, "routes", "[]", "redirect", "statusCode");
    assertEquals(301.0, status.getMinimum());
    assertEquals(308.0, status.getMaximum());
    assertTrue(status.getXKubernetesValidations().get(0).getRule().contains("307"));
  }

  @Test
  @DisplayName("traffic policies: policy, protocol and retry conditions are enums; Maglev needs hashOn")
  void trafficPolicyEnums() {
    JSONSchemaProps lb = at(spec, "routes", "[]", "loadBalancer");
    assertEquals(List.of("CookieAffinity", "LeastRequest", "Maglev", "Random", "RoundRobin"),
        at(lb, "policy").getEnum().stream().map(j -> j.asText()).collect(Collectors.toList()));
    assertTrue(lb.getXKubernetesValidations().stream().anyMatch(v -> v.getRule().contains("Maglev")));
    assertEquals(List.of("h2", "h2c", "http1", "https"), at(spec, "routes", "[]", "backends", "[]", "protocol")
        .getEnum().stream().map(j -> j.asText()).collect(Collectors.toList()));
    assertTrue(at(spec, "routes", "[]", "retries", "on", "[]").getEnum().stream()
        .map(j -> j.asText()).collect(Collectors.toList()).containsAll(List.of("connect-failure", "503")));
    assertEquals(List.of("caSecret"), at(spec, "tls", "clientCertificate").getRequired());
    assertTrue(java.util.regex.Pattern.compile(
        at(spec, "routes", "[]", "healthCheck", "expectedStatuses", "[]").getPattern()).matcher("200-299").matches());
  }

  @Test
  @DisplayName("paths must be absolute")
  void pathPatterns() {
    for (String kind : List.of("exact", "prefix", "regex")) {
      String pattern = at(spec, "routes", "[]", "match", "path", kind).getPattern();
      assertTrue(java.util.regex.Pattern.compile(pattern).matcher("/api").find(), kind);
      assertTrue(!java.util.regex.Pattern.compile(pattern).matcher("api").find(), kind);
    }
  }

  @Test
  @DisplayName("the CRD has the status subresource and the Hosts, Accepted, Programmed, Age columns")
  void statusAndColumns() {
    assertNotNull(version.getSubresources().getStatus(), "status subresource");
    assertEquals(List.of("Hosts", "Accepted", "Programmed", "Age"),
        version.getAdditionalPrinterColumns().stream().map(c -> c.getName()).collect(Collectors.toList()));
  }
}
