package io.portcullis.operator.compile;

import io.portcullis.snapshot.TlsCertificate;
import java.util.Objects;

/**
 * What the compiler needs from the command line.
 *
 * @param ingressClass the name of our IngressClass ({@code --ingress-class}, default
 *     {@code portcullis}); also the value the legacy {@code kubernetes.io/ingress.class}
 *     annotation and ProxyRoute {@code spec.ingressClassName} must carry
 * @param defaultBackend {@code --default-backend}: the Service for requests no rule matches, or
 *     null
 * @param defaultCertificate what answers TLS handshakes for unknown or missing SNI names, and
 *     hosts whose own Secret is unusable
 * @param ingressNginx {@code --ingress-nginx-compat}: whether Ingresses of ingress-nginx's class
 *     are served too, and {@code nginx.ingress.kubernetes.io/*} annotations read
 */
public record CompilerSettings(
    String ingressClass, ServiceRef defaultBackend, DefaultCertificate defaultCertificate,
    IngressNginx ingressNginx) {
  /** The {@code spec.controller} of IngressClasses that are ours. */
  public static final String CONTROLLER_NAME = "portcullis.io/ingress-controller";

  public static final String DEFAULT_INGRESS_CLASS = "portcullis";

  public CompilerSettings {
    Objects.requireNonNull(ingressClass, "ingressClass");
    defaultCertificate = defaultCertificate == null ? DefaultCertificate.NONE : defaultCertificate;
    ingressNginx = ingressNginx == null ? IngressNginx.IGNORED : ingressNginx;
  }

  /** Settings that leave ingress-nginx's Ingresses alone. */
  public CompilerSettings(
      String ingressClass, ServiceRef defaultBackend, DefaultCertificate defaultCertificate) {
    this(ingressClass, defaultBackend, defaultCertificate, IngressNginx.IGNORED);
  }

  /** Settings without a default certificate. */
  public CompilerSettings(String ingressClass, ServiceRef defaultBackend) {
    this(ingressClass, defaultBackend, DefaultCertificate.NONE);
  }

  public static CompilerSettings defaults() {
    return new CompilerSettings(DEFAULT_INGRESS_CLASS, null);
  }

  public CompilerSettings withDefaultCertificate(DefaultCertificate certificate) {
    return new CompilerSettings(ingressClass, defaultBackend, certificate, ingressNginx);
  }

  public CompilerSettings withIngressNginx(IngressNginx mode) {
    return new CompilerSettings(ingressClass, defaultBackend, defaultCertificate, mode);
  }

  /** What becomes of Ingresses written for ingress-nginx. */
  public enum IngressNginx {
    /** Another controller's: not served, their annotations not read (the default). */
    IGNORED,
    /**
     * Served as ours: IngressClasses of controller {@code k8s.io/ingress-nginx}, the legacy class
     * annotation {@code nginx}, and the {@code nginx.ingress.kubernetes.io/*} annotations on every
     * Ingress we serve (see the {@code compile.nginx} package).
     */
    SERVED
  }

  /**
   * The default certificate. The operator generates one at start (random, so not in the pure
   * compiler) and hands it in; {@code --default-certificate ns/name} names a Secret that takes
   * precedence while it is usable.
   *
   * @param secret {@code namespace/name} of a {@code kubernetes.io/tls} Secret, or null
   * @param generated the operator's self-signed certificate, used when {@code secret} is null or
   *     unusable; null for none (then unknown SNI names get no certificate)
   */
  public record DefaultCertificate(String secret, TlsCertificate generated) {
    public static final DefaultCertificate NONE = new DefaultCertificate(null, null);

    /** The snapshot name of a generated default; no Secret can have it (namespaces have no dots). */
    public static final String GENERATED_NAME = "portcullis.io/generated-default";

    public DefaultCertificate {
      if (secret != null && secret.split("/", -1).length != 2) {
        throw new IllegalArgumentException("default certificate must be namespace/name: " + secret);
      }
    }
  }
}
