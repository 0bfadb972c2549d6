package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.portcullis.operator.crd.ProxyRoute;
import java.util.List;
import java.util.Map;

/**
 * Decides which Ingresses and ProxyRoutes are ours. Objects of other controllers get no status
 * and no events from us: another controller owns them.
 */
final class ClassSelector {
  static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
  static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

  private final String ourClass;
  private final boolean ourClassExists;
  private final boolean ourClassIsDefault;

  ClassSelector(String ourClass, List<IngressClass> classes) {
    this.ourClass = ourClass;
    IngressClass mine =
        classes.stream()
            .filter(c -> ourClass.equals(c.getMetadata().getName()))
            .filter(c -> c.getSpec() != null)
            .filter(c -> CompilerSettings.CONTROLLER_NAME.equals(c.getSpec().getController()))
            .findFirst()
            .orElse(null);
    this.ourClassExists = mine != null;
    Map<String, String> annotations = mine == null ? null : mine.getMetadata().getAnnotations();
    this.ourClassIsDefault =
        annotations != null && "true".equals(annotations.get(DEFAULT_CLASS_ANNOTATION));
  }

  /**
   * In this order: {@code spec.ingressClassName}, when set, decides (ours only if it names our
   * IngressClass: our name and our controller); else the legacy {@code kubernetes.io/ingress.class}
   * annotation, when present, decides; else the Ingress is ours only when our class is the cluster
   * default. The annotation is consulted before the default so that an Ingress annotated for
   * another controller is never taken over just because our class is the default.
   */
  boolean isOurs(Ingress ingress) {
    String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
    if (className != null && !className.isEmpty()) {
      return ourClassExists && className.equals(ourClass);
    }
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    String legacy = annotations == null ? null : annotations.get(LEGACY_CLASS_ANNOTATION);
    if (legacy != null) {
      return legacy.equals(ourClass);
    }
    return ourClassIsDefault;
  }

  /** ProxyRoutes are our own kind: no class or our class name. */
  boolean isOurs(ProxyRoute route) {
    String className = route.getSpec() == null ? null : route.getSpec().ingressClassName;
    return className == null || className.isEmpty() || className.equals(ourClass);
  }
}
