package io.portcullis.operator.compile;

/**
 * Condition types and the reasons the compiler gives, in one place so the status writer, the
 * events and the tests agree on the spelling.
 */
public final class Reasons {
  private Reasons() {}

  public static final String ACCEPTED = "Accepted";
  public static final String RESOLVED_REFS = "ResolvedRefs";

  /** Accepted=False: a host, path, regex, header or action of one rule or route is invalid. */
  public static final String INVALID_ROUTE = "InvalidRoute";
  /** Accepted=False: an older object already serves the same host, path and match. */
  public static final String HOST_CONFLICT = "HostConflict";

  /** ResolvedRefs=False: the Service does not exist. */
  public static final String SERVICE_NOT_FOUND = "ServiceNotFound";
  /** ResolvedRefs=False: the Service has no such port. */
  public static final String PORT_NOT_FOUND = "PortNotFound";
  /** ResolvedRefs=False: the Service port has no ready endpoint. */
  public static final String NO_READY_ENDPOINTS = "NoReadyEndpoints";
  /** ResolvedRefs=False: the backend kind is not supported (ExternalName, resource backends). */
  public static final String UNSUPPORTED_BACKEND = "UnsupportedBackend";

  /** Event: this object's defaultBackend is not the one in use (an older one is). */
  public static final String DEFAULT_BACKEND_IGNORED = "DefaultBackendIgnored";
  /**
   * ResolvedRefs=False and an Event: a TLS section names a Secret that is missing, of the wrong
   * type, without tls.crt/tls.key, with unparsable PEM, a key that does not match, or an expired
   * certificate. The hosts fall back to the default certificate.
   */
  public static final String INVALID_TLS_SECRET = "InvalidTlsSecret";
  /** Event (warning): the certificate's DNS names do not cover a host it is served for. */
  public static final String CERTIFICATE_HOST_MISMATCH = "CertificateHostMismatch";
  /** Event (warning): an older object already names another TLS Secret for the same host. */
  public static final String TLS_CONFLICT = "TlsConflict";
  /** Event (warning): a TLS setting (a spec.tls host, HSTS) is invalid and is ignored. */
  public static final String INVALID_TLS_SETTINGS = "InvalidTlsSettings";
  /**
   * Accepted=False: a CA Secret a route names (backend {@code tls.caSecret}, {@code
   * spec.tls.clientCertificate.caSecret}) is missing, has no {@code ca.crt}, or holds no valid
   * PEM certificate. The routes that need it are not served (fail closed).
   */
  public static final String INVALID_CA_SECRET = "InvalidCaSecret";
  /** Event (warning): an annotation has a value we cannot use; its default applies. */
  public static final String INVALID_ANNOTATION = "InvalidAnnotation";
  /**
   * Accepted=False (ProxyRoute) or an Event (Ingress): authentication is configured but invalid;
   * the route answers 503 (fails closed) until it is fixed.
   */
  public static final String INVALID_AUTH = "InvalidAuth";
  /**
   * ResolvedRefs=False (ProxyRoute) or an Event (Ingress): a Secret authentication names is
   * missing, lacks its key, or holds refused content (plain-text or MD5 passwords); the route
   * answers 503 (fails closed).
   */
  public static final String INVALID_AUTH_SECRET = "InvalidAuthSecret";
  /**
   * Accepted=False (ProxyRoute) or an Event (Ingress): an IP allow or deny list holds an entry
   * that is not an address or CIDR; the routes it covers refuse every client with 403 (fail
   * closed) until it is fixed.
   */
  public static final String INVALID_IP_RULES = "InvalidIpRules";
  /**
   * Event (warning): an {@code nginx.ingress.kubernetes.io/*} annotation is refused (a snippet,
   * unknown, or needing a feature Portcullis lacks); the rest of the Ingress is served.
   */
  public static final String NGINX_ANNOTATION_REFUSED = "NginxAnnotationRefused";
  /** Event (normal): an ingress-nginx annotation is served with a documented difference. */
  public static final String NGINX_ANNOTATION_CHANGED = "NginxAnnotationChanged";
  /** Event (warning): a canary Ingress has no main Ingress for one of its paths; not served. */
  public static final String CANARY_WITHOUT_MAIN = "CanaryWithoutMain";
}
