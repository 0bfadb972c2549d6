package io.portcullis.operator.compile;

import io.portcullis.operator.crd.ErrorPagesSpec;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.filter.ErrorPages;
import io.portcullis.snapshot.filter.FilterConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code errorPages} field of ProxyRoutes and the {@code portcullis.io/error-pages*} Ingress
 * annotations (which ingress-nginx's custom-http-errors and default-backend compile to): the error
 * backend Service becomes a cluster of the snapshot, and each route's error pages tell it, as
 * ingress-nginx does, the namespace, the object's name and the route's Service and port.
 */
final class ErrorPagesTranslation {
  /** The codes, comma-separated: {@code 404,503}. */
  static final String CODES = "portcullis.io/error-pages";
  /**
   * The error backend, {@code service:port} or {@code service} (its first port) in the Ingress's
   * namespace; default: the operator's {@code --default-backend}.
   */
  static final String SERVICE = "portcullis.io/error-pages-service";
  /** {@code original} (default) or {@code error-backend}: which status the client gets. */
  static final String STATUS = "portcullis.io/error-pages-status";

  private final BackendResolver backends;
  /** {@code --default-backend}, or null. */
  private final ServiceRef fallback;

  ErrorPagesTranslation(BackendResolver backends, ServiceRef fallback) {
    this.backends = backends;
    this.fallback = fallback;
  }

  /**
   * The error pages of a ProxyRoute's {@code errorPages} at {@code field}, or null when absent. An
   * error backend that does not resolve is added to {@code unresolved} (the route stays, and the
   * listed errors answer 502 until it does).
   */
  ErrorPages of(ObjectRef ref, ErrorPagesSpec spec, String field,
      List<BackendResolver.Resolution> unresolved) throws InvalidInputException {
    if (spec == null) {
      return null;
    }
    if (spec.service == null || spec.service.isEmpty() || spec.port == null || spec.port < 1
        || spec.port > 65535) {
      throw new InvalidInputException(field + " needs a service and a port from 1 to 65535");
    }
    ErrorPages.Status status;
    if (spec.status == null || spec.status.equals("Original")) {
      status = ErrorPages.Status.ORIGINAL;
    } else if (spec.status.equals("ErrorBackend")) {
      status = ErrorPages.Status.ERROR_BACKEND;
    } else {
      throw new InvalidInputException(field + ".status must be Original or ErrorBackend");
    }
    String cluster = cluster(ref.namespace(), spec.service, spec.port.toString(), field, unresolved);
    return build(spec.codes, cluster, status, ref, field);
  }

  /**
   * One ProxyRoute route's filters: its own {@code errorPages} replacing the spec-level ones, and
   * the error pages told the route's first backend.
   */
  List<FilterConfig> ofRoute(ObjectRef ref, ProxyRouteSpec.RouteSpec route,
      List<FilterConfig> filters, List<BackendResolver.Resolution> unresolved)
      throws InvalidInputException {
    filters = with(filters, of(ref, route.errorPages, "errorPages", unresolved));
    if (route.backends != null && !route.backends.isEmpty() && route.backends.get(0) != null
        && route.backends.get(0).service != null && route.backends.get(0).port != null) {
      filters = forBackend(filters, route.backends.get(0).service,
          route.backends.get(0).port.toString());
    }
    return filters;
  }

  /**
   * The error pages an Ingress's annotations ask for, or null (none, or unusable: then reported
   * in an event naming the annotation, and the Ingress is served without them).
   */
  ErrorPages of(ObjectRef ref, Map<String, String> annotations, StatusCollector status) {
    String codes = annotations == null ? null : annotations.get(CODES);
    if (codes == null) {
      return null;
    }
    try {
      List<Integer> list = new ArrayList<>();
      for (String c : codes.split(",")) {
        String code = c.trim();
        if (!code.matches("\\d{3}")) {
          throw new InvalidInputException("'" + StatusCollector.bounded(code)
              + "' is not a status code (expected codes from 400 to 599, comma-separated)");
        }
        list.add(Integer.parseInt(code));
      }
      String statusText = annotations.getOrDefault(STATUS, "original").trim();
      ErrorPages.Status which = switch (statusText) {
        case "original" -> ErrorPages.Status.ORIGINAL;
        case "error-backend" -> ErrorPages.Status.ERROR_BACKEND;
        default -> throw new InvalidInputException(STATUS + " must be original or error-backend");
      };
      List<BackendResolver.Resolution> unresolved = new ArrayList<>();
      String cluster = ingressCluster(ref, annotations.get(SERVICE), unresolved);
      for (BackendResolver.Resolution r : unresolved) {
        status.unresolved(ref, r.reason(), r.message());
      }
      return build(list, cluster, which, ref, CODES);
    } catch (InvalidInputException e) {
      status.event(ref, true, Reasons.INVALID_ANNOTATION, "annotation " + CODES + ": \""
          + StatusCollector.bounded(codes) + "\" is not usable (" + e.getMessage()
          + "); no error pages apply");
      return null;
    }
  }

  private String ingressCluster(ObjectRef ref, String service,
      List<BackendResolver.Resolution> unresolved) throws InvalidInputException {
    if (service == null || service.isBlank()) {
      if (fallback == null) {
        throw new InvalidInputException("no error backend: name one in " + SERVICE
            + " (ingress-nginx: default-backend) or start the operator with --default-backend");
      }
      return cluster(fallback.namespace(), fallback.name(), fallback.port(), "--default-backend",
          unresolved);
    }
    String name = service.trim();
    String port = null;
    int colon = name.indexOf(':');
    if (colon >= 0) {
      port = name.substring(colon + 1);
      name = name.substring(0, colon);
    }
    if (!name.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      throw new InvalidInputException(SERVICE + ": '" + StatusCollector.bounded(service)
          + "' is not service or service:port in the Ingress's namespace");
    }
    if (port == null) {
      port = backends.firstPort(ref.namespace(), name);
      if (port == null) {
        port = "80"; // reported as unresolved below: the Service or its ports are missing
      }
    }
    return cluster(ref.namespace(), name, port, SERVICE, unresolved);
  }

  private String cluster(String namespace, String service, String port, String field,
      List<BackendResolver.Resolution> unresolved) {
    BackendResolver.Resolution r = backends.resolve(namespace, service, port);
    if (!r.ok()) {
      unresolved.add(new BackendResolver.Resolution(
          r.cluster(), r.reason(), field + ": error backend: " + r.message()));
    }
    return r.cluster();
  }

  private static ErrorPages build(List<Integer> codes, String cluster, ErrorPages.Status status,
      ObjectRef ref, String field) throws InvalidInputException {
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("x-namespace", ref.namespace());
    headers.put("x-ingress-name", ref.name());
    try {
      return new ErrorPages(codes == null ? List.of() : codes, cluster, status, headers);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage());
    }
  }

  /**
   * {@code filters} for a route whose backend is {@code service} port {@code port}: its error
   * pages (if any) tell the error backend so in {@code X-Service-Name} and {@code X-Service-Port}.
   */
  static List<FilterConfig> forBackend(List<FilterConfig> filters, String service, String port) {
    if (filters.stream().noneMatch(ErrorPages.class::isInstance)) {
      return filters;
    }
    List<FilterConfig> out = new ArrayList<>(filters.size());
    for (FilterConfig f : filters) {
      if (f instanceof ErrorPages pages) {
        Map<String, String> headers = new LinkedHashMap<>(pages.requestHeaders());
        headers.put("x-service-name", service);
        headers.put("x-service-port", port);
        f = new ErrorPages(pages.codes(), pages.cluster(), pages.status(), headers);
      }
      out.add(f);
    }
    return out;
  }

  /** {@code filters} with {@code pages} replacing any error pages (null: unchanged). */
  static List<FilterConfig> with(List<FilterConfig> filters, ErrorPages pages) {
    if (pages == null) {
      return filters;
    }
    List<FilterConfig> out = new ArrayList<>(filters);
    out.removeIf(ErrorPages.class::isInstance);
    out.add(pages);
    return out;
  }

  /** The error backends' clusters named by {@code filters}. */
  static List<String> clusters(List<FilterConfig> filters) {
    return filters.stream().filter(ErrorPages.class::isInstance)
        .map(f -> ((ErrorPages) f).cluster()).toList();
  }
}
