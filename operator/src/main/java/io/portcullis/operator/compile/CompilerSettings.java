package io.portcullis.operator.compile;

import java.util.Objects;

/**
 * What the compiler needs from the command line.
 *
 * @param ingressClass the name of our IngressClass ({@code --ingress-class}, default
 *     {@code portcullis}); also the value the legacy {@code kubernetes.io/ingress.class}
 *     annotation and ProxyRoute {@code spec.ingressClassName} must carry
 * @param defaultBackend {@code --default-backend}: the Service for requests no rule matches, or
 *     null
 */
public record CompilerSettings(String ingressClass, ServiceRef defaultBackend) {
  /** The {@code spec.controller} of IngressClasses that are ours. */
  public static final String CONTROLLER_NAME = "portcullis.io/ingress-controller";

  public static final String DEFAULT_INGRESS_CLASS = "portcullis";

  public CompilerSettings {
    Objects.requireNonNull(ingressClass, "ingressClass");
  }

  public static CompilerSettings defaults() {
    return new CompilerSettings(DEFAULT_INGRESS_CLASS, null);
  }
}
