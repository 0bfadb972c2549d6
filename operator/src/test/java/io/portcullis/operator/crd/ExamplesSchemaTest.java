package io.portcullis.operator.crd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Every ProxyRoute under {@code examples/} passes the checked-in CRD's structural schema: no
 * unknown field (the API server would prune it silently), types, enums, patterns, bounds and
 * required fields. The CEL rules are not evaluated here; the compiler checks the same things and
 * its tests cover them.
 */
public class ExamplesSchemaTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static JSONSchemaProps schema;

  @BeforeAll
  static void load() throws IOException {
    CustomResourceDefinition crd = Serialization.unmarshal(
        Files.readString(ProxyRouteCrdTest.CHECKED_IN, StandardCharsets.UTF_8), CustomResourceDefinition.class);
    schema = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema();
  }

  private static List<JsonNode> proxyRoutes() throws IOException {
    List<JsonNode> out = new ArrayList<>();
    List<Path> files;
    try (Stream<Path> walk = Files.walk(Path.of("..", "examples"))) {
      files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    Load yaml = new Load(LoadSettings.builder().build());
    for (Path file : files) {
      for (Object doc : yaml.loadAllFromString(Files.readString(file, StandardCharsets.UTF_8))) {
        JsonNode node = JSON.valueToTree(doc);
        if (node != null && "ProxyRoute".equals(node.path("kind").asText())) {
          out.add(node);
        }
      }
    }
    return out;
  }

  @Test
  @DisplayName("every example ProxyRoute is valid against the CRD schema, the policies example included")
  void examplesPass() throws IOException {
    List<JsonNode> routes = proxyRoutes();
    assertTrue(routes.stream().anyMatch(r -> r.path("metadata").path("name").asText().equals("policies")),
        "examples/policies is among them");
    for (JsonNode route : routes) {
      List<String> errors = new ArrayList<>();
      validate(route.path("spec"), schema.getProperties().get("spec"), "spec", errors);
      assertEquals(List.of(), errors, () -> "ProxyRoute " + route.path("metadata").path("name"));
    }
  }

  @Test
  @DisplayName("the schema check refuses an unknown policy, a misspelt field and a bad duration")
  void checkCanFail() throws IOException {
    JsonNode spec = JSON.readTree("""
        {"hosts": ["a.example.com"], "routes": [{"backends": [{"service": "a", "port": 80,
          "protocol": "grpc"}], "loadBalancer": {"policy": "Fastest"}, "retrys": {"attempts": 1},
          "timeouts": {"request": "15 s"}}]}""");
    List<String> errors = new ArrayList<>();
    validate(spec, schema.getProperties().get("spec"), "spec", errors);
    assertEquals(4, errors.size(), () -> "errors: " + errors);
    assertTrue(errors.stream().anyMatch(e -> e.contains("loadBalancer.policy")), errors::toString);
    assertTrue(errors.stream().anyMatch(e -> e.contains("retrys")), errors::toString);
    assertFalse(errors.stream().anyMatch(e -> e.contains("hosts")), errors::toString);
  }

  /** Checks {@code value} against the structural schema {@code s}, adding one line per error. */
  public static void validate(JsonNode value, JSONSchemaProps s, String path, List<String> errors) {
    String type = s.getType();
    if ("object".equals(type)) {
      if (!value.isObject()) {
        errors.add(path + ": expected an object");
        return;
      }
      if (s.getRequired() != null) {
        for (String r : s.getRequired()) {
          if (!value.has(r)) {
            errors.add(path + "." + r + ": required");
          }
        }
      }
      Map<String, JSONSchemaProps> props = s.getProperties();
      for (Iterator<Map.Entry<String, JsonNode>> it = value.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        String at = path + "." + field.getKey();
        if (props != null && props.containsKey(field.getKey())) {
          validate(field.getValue(), props.get(field.getKey()), at, errors);
        } else if (s.getAdditionalProperties() != null && s.getAdditionalProperties().getSchema() != null) {
          validate(field.getValue(), s.getAdditionalProperties().getSchema(), at, errors);
        } else {
          errors.add(at + ": unknown field");
        }
      }
    } else if ("array".equals(type)) {
      if (!value.isArray()) {
        errors.add(path + ": expected a list");
        return;
      }
      if (s.getMinItems() != null && value.size() < s.getMinItems()) {
        errors.add(path + ": fewer than " + s.getMinItems() + " items");
      }
      if (s.getMaxItems() != null && value.size() > s.getMaxItems()) {
        errors.add(path + ": more than " + s.getMaxItems() + " items");
      }
      for (int i = 0; i < value.size(); i++) {
        validate(value.get(i), s.getItems().getSchema(), path + "[" + i + "]", errors);
      }
    } else if ("string".equals(type)) {
      if (!value.isTextual()) {
        errors.add(path + ": expected a string");
        return;
      }
      String text = value.asText();
      if (s.getPattern() != null && !java.util.regex.Pattern.compile(s.getPattern()).matcher(text).find()) {
        errors.add(path + ": '" + text + "' does not match " + s.getPattern());
      }
      if (s.getMaxLength() != null && text.length() > s.getMaxLength()) {
        errors.add(path + ": longer than " + s.getMaxLength());
      }
      if (s.getMinLength() != null && text.length() < s.getMinLength()) {
        errors.add(path + ": shorter than " + s.getMinLength());
      }
      if (s.getEnum() != null && !s.getEnum().isEmpty() && s.getEnum().stream().noneMatch(e -> e.asText().equals(text))) {
        errors.add(path + ": '" + text + "' is not one of " + s.getEnum());
      }
    } else if ("integer".equals(type)) {
      if (!value.isIntegralNumber()) {
        errors.add(path + ": expected an integer");
        return;
      }
      if (s.getMinimum() != null && value.asDouble() < s.getMinimum()) {
        errors.add(path + ": below " + s.getMinimum());
      }
      if (s.getMaximum() != null && value.asDouble() > s.getMaximum()) {
        errors.add(path + ": above " + s.getMaximum());
      }
    } else if ("boolean".equals(type) && !value.isBoolean()) {
      errors.add(path + ": expected true or false");
    }
  }
}
