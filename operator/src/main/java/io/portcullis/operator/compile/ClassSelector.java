package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.portcullis.operator.crd.ProxyRoute;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;

/**
 * Decides which Ingresses and ProxyRoutes are ours. Objects of other controllers get no status
 * and no events from us: another controller owns them.
 */
final class ClassSelector {
  static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";
  static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

  /** The {@code spec.controller} of ingress-nginx's IngressClasses. */
  static final String INGRESS_NGINX_CONTROLLER = "k8s.io/ingress-nginx";

  /** The class name ingress-nginx installs, and the value of its legacy annotation. */
  static final String INGRESS_NGINX_CLASS = "nginx";

  private final String ourClass;
  private final boolean ourClassExists;
  private final boolean ourClassIsDefault;
  /** With {@code --ingress-nginx-compat}: the names of ingress-nginx's IngressClasses; else empty. */
  private final Set<String> nginxClasses;
  private final boolean nginxClassIsDefault;

  ClassSelector(String ourClass, List<IngressClass> classes) {
    this(ourClass, classes, CompilerSettings.IngressNginx.IGNORED);
  }

  /**
   * With {@code nginx} SERVED, Ingresses of every IngressClass whose controller is
   * {@code k8s.io/ingress-nginx} are ours too, and so is the class name {@code nginx} when no
   * IngressClass of that name exists (it went away with ingress-nginx's uninstall, and its
   * Ingresses should keep serving).
   */
  ClassSelector(String ourClass, List<IngressClass> classes, CompilerSettings.IngressNginx nginx) {
    this.ourClass = ourClass;
    Set<String> nginxNames = new HashSet<>();
    boolean nginxDefault = false;
    if (nginx == CompilerSettings.IngressNginx.SERVED) {
      boolean nginxNameTaken = false;
      for (IngressClass c : classes) {
        String name = c.getMetadata().getName();
        boolean isNginx = c.getSpec() != null
            && INGRESS_NGINX_CONTROLLER.equals(c.getSpec().getController());
        if (isNginx) {
          nginxNames.add(name);
          Map<String, String> a = c.getMetadata().getAnnotations();
          nginxDefault |= a != null && "true".equals(a.get(DEFAULT_CLASS_ANNOTATION));
        }
        nginxNameTaken |= INGRESS_NGINX_CLASS.equals(name) && !isNginx;
      }
      if (!nginxNameTaken) {
        nginxNames.add(INGRESS_NGINX_CLASS);
      }
    }
    this.nginxClasses = Set.copyOf(nginxNames);
    this.nginxClassIsDefault = nginxDefault;
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
      return (ourClassExists && className.equals(ourClass)) || nginxClasses.contains(className);
    }
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    String legacy = annotations == null ? null : annotations.get(LEGACY_CLASS_ANNOTATION);
    if (legacy != null) {
      return legacy.equals(ourClass) || nginxClasses.contains(legacy);
    }
    return ourClassIsDefault || nginxClassIsDefault;
  }

  /** ProxyRoutes are our own kind: no class or our class name. */
  boolean isOurs(ProxyRoute route) {
    String className = route.getSpec() == null ? null : route.getSpec().ingressClassName;
    return className == null || className.isEmpty() || className.equals(ourClass);
  }
}
