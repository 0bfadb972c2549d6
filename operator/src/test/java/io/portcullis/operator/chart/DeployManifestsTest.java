package io.portcullis.operator.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/portcullis.yaml} is the chart rendered with its default values, so that one
 * {@code kubectl apply -f} installs what {@code helm install} would. This test re-renders it and
 * fails when the file is stale; with {@code -Dportcullis.regenerate=true} it rewrites the file
 * instead (the command is in the file's header).
 */
class DeployManifestsTest {
  static final String RELEASE = "portcullis";
  static final String REGENERATE =
      "mvn -B -q -pl operator -am test -Dtest=DeployManifestsTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dportcullis.regenerate=true";

  private static Path file() {
    return Chart.repositoryRoot().resolve("deploy/portcullis.yaml");
  }

  /** Header, the Namespace, the CRDs (as {@code helm install} applies them first), the templates. */
  static String render() {
    StringBuilder out = new StringBuilder();
    out.append("# Portcullis, plain manifests: kubectl apply -f deploy/portcullis.yaml\n")
        .append("# GENERATED from charts/portcullis with its default values (release \"")
        .append(RELEASE)
        .append("\", namespace \"")
        .append(Chart.NAMESPACE)
        .append("\").\n")
        .append("# Do not edit: change the chart, then regenerate with\n")
        .append("#   ")
        .append(REGENERATE)
        .append("\n")
        .append("---\n")
        .append("# The pods meet the \"restricted\" Pod Security Standard; the namespace enforces it.\n")
        .append("apiVersion: v1\n")
        .append("kind: Namespace\n")
        .append("metadata:\n")
        .append("  name: ")
        .append(Chart.NAMESPACE)
        .append("\n")
        .append("  labels:\n")
        .append("    pod-security.kubernetes.io/enforce: restricted\n");
    for (Path crd : Chart.crdFiles()) {
      out.append("---\n# Source: portcullis/crds/").append(crd.getFileName()).append("\n");
      String text = read(crd);
      out.append(text.endsWith("\n") ? text : text + "\n");
    }
    String templates = Chart.template(RELEASE, Map.of());
    out.append(templates.endsWith("\n") ? templates : templates + "\n");
    return out.toString();
  }

  @Test
  void deployManifestsAreTheChartRenderedWithDefaults() throws IOException {
    String expected = render();
    if (Boolean.getBoolean("portcullis.regenerate")) {
      Files.createDirectories(file().getParent());
      Files.writeString(file(), expected);
    }
    assertTrue(Files.exists(file()), "deploy/portcullis.yaml is missing; generate it with: " + REGENERATE);
    assertEquals(
        expected,
        Files.readString(file()),
        "deploy/portcullis.yaml is stale; regenerate it with: " + REGENERATE);
  }

  @Test
  void deployManifestsInstallEverythingIntoOneNamespace() {
    List<HasMetadata> objects = Chart.parse(render());
    Set<String> kinds = objects.stream().map(HasMetadata::getKind).collect(Collectors.toSet());
    assertTrue(
        kinds.containsAll(
            Set.of(
                "Namespace", "CustomResourceDefinition", "IngressClass", "ServiceAccount", "ClusterRole",
                "ClusterRoleBinding", "Role", "RoleBinding", "Deployment", "Service",
                "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy")),
        kinds::toString);
    assertEquals("Namespace", objects.get(0).getKind(), "the namespace comes first");
    assertEquals(
        "restricted",
        ((Namespace) objects.get(0)).getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"));
    for (HasMetadata object : objects) {
      String ns = object.getMetadata().getNamespace();
      assertTrue(ns == null || ns.equals(Chart.NAMESPACE), object.getKind() + " " + object.getMetadata().getName());
    }
  }

  private static String read(Path path) {
    try {
      return Files.readString(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
