package io.portcullis.operator.chart;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** The chart in this repository, rendered with real Helm (helm-java) and parsed by fabric8. */
final class Chart {
  /** A Kubernetes version the chart supports (helm-java's template defaults to 1.20). */
  static final String KUBE_VERSION = "1.30.0";
  static final String NAMESPACE = "portcullis-system";

  private static final KubernetesClient PARSER = new KubernetesClientBuilder().build();

  private Chart() {}

  /** The repository root: tests run in operator/. */
  static Path repositoryRoot() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("charts/portcullis"))) {
      dir = dir.getParent();
    }
    if (dir == null) {
      throw new IllegalStateException("charts/portcullis not found above " + Path.of("").toAbsolutePath());
    }
    return dir;
  }

  static Path directory() {
    return repositoryRoot().resolve("charts/portcullis");
  }

  static Helm helm() {
    return new Helm(directory());
  }

  /** {@code helm template <release> charts/portcullis -n portcullis-system --set k=v ...}. */
  static String template(String release, Map<String, ?> values) {
    TemplateCommand template =
        helm().template().withName(release).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
    values.forEach(template::set);
    return template.call();
  }

  static List<HasMetadata> render(Map<String, ?> values) {
    return parse(template("pc", values));
  }

  static List<HasMetadata> parse(String yaml) {
    return PARSER.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8))).items();
  }

  /** The chart's CRD files, sorted by name (what {@code helm install} applies first). */
  static List<Path> crdFiles() {
    try (Stream<Path> files = Files.list(directory().resolve("crds"))) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> kind, String name) {
    List<T> found =
        objects.stream()
            .filter(kind::isInstance)
            .map(kind::cast)
            .filter(o -> o.getMetadata().getName().equals(name))
            .toList();
    if (found.size() != 1) {
      throw new AssertionError(
          "expected one " + kind.getSimpleName() + " " + name + ", found " + found.size());
    }
    return found.get(0);
  }

  static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> kind) {
    return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
  }
}
