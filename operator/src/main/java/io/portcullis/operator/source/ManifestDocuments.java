package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResourceList;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.crd.ProxyRoute;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * What local mode says about one manifest document: its name for messages ({@code ProxyRoute
 * default/demo}), even when it does not parse; whether its kind is a mistake to refuse; one-line
 * error texts; the key and content hash objects are tracked by.
 */
final class ManifestDocuments {
  private ManifestDocuments() {}

  /** {@code Kind/namespace/name}, the namespace defaulted as ManifestsSource's stamping does. */
  static String key(HasMetadata object) {
    ObjectMeta meta = object.getMetadata();
    String namespace = meta.getNamespace();
    if (object instanceof Namespaced && blank(namespace)) {
      namespace = "default";
    }
    return object.getKind() + "/" + (namespace == null ? "" : namespace) + "/" + meta.getName();
  }

  /** {@code ProxyRoute default/demo}, read leniently from a document that may not parse. */
  static String subject(YamlDocuments.Document document) {
    Object raw;
    try {
      raw = new Load(LoadSettings.builder().build()).loadFromString(document.text());
    } catch (RuntimeException e) {
      return "";
    }
    if (!(raw instanceof Map<?, ?> map)) {
      return "";
    }
    Object kind = map.get("kind");
    Object metadata = map.get("metadata");
    Object name = metadata instanceof Map<?, ?> m ? m.get("name") : null;
    Object namespace = metadata instanceof Map<?, ?> m ? m.get("namespace") : null;
    if (kind == null && name == null) {
      return "";
    }
    return (kind == null ? "object" : kind) + " " + (namespace == null ? "" : namespace + "/")
        + (name == null ? "(no name)" : name);
  }

  static String describe(HasMetadata object) {
    ObjectMeta meta = object.getMetadata();
    String name = meta == null || meta.getName() == null ? "(no name)" : meta.getName();
    String namespace = meta == null || meta.getNamespace() == null ? "" : meta.getNamespace() + "/";
    return object.getKind() + " " + namespace + name;
  }

  static void flatten(Object parsed, List<Object> into) {
    if (parsed == null) {
      return;
    }
    if (parsed instanceof List<?> list) {
      list.forEach(item -> flatten(item, into));
    } else if (parsed instanceof KubernetesResourceList<?> list) {
      list.getItems().forEach(item -> flatten(item, into));
    } else {
      into.add(parsed);
    }
  }

  /**
   * A document without apiVersion/kind, one of our kinds under an API version we do not read
   * (say, extensions/v1beta1 Ingress), or a near miss of one of our kinds ({@code Ingres}): a
   * mistake to refuse rather than skip.
   */
  static Optional<String> mistypedKind(HasMetadata generic) {
    if (blank(generic.getApiVersion()) || blank(generic.getKind())) {
      return Optional.of("apiVersion or kind is missing");
    }
    for (Class<? extends HasMetadata> kind : ResourceCache.KINDS) {
      if (kind.getSimpleName().equals(generic.getKind())) {
        return Optional.of(generic.getKind() + " " + generic.getApiVersion() + " is not supported, use "
            + HasMetadata.getApiVersion(kind));
      }
    }
    if (generic instanceof GenericKubernetesResource) {
      Optional<String> near = Names.closest(generic.getKind(),
          ResourceCache.KINDS.stream().map(Class::getSimpleName).toList());
      if (near.isPresent()) {
        return Optional.of("unknown kind " + generic.getKind() + " (did you mean " + near.get() + "?)");
      }
    }
    return Optional.empty();
  }

  static String oneLine(RuntimeException e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    return message.replaceAll("\\s+", " ").trim();
  }

  static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
