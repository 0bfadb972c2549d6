package io.portcullis.operator.compile;

import io.portcullis.snapshot.filter.FilterConfig;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.crd.ProxyRouteSpec.RouteSpec;
import io.portcullis.snapshot.Route;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Turns our ProxyRoutes into route candidates, one per (route, host). An invalid host or route is
 * dropped alone, with an {@code Accepted=False} condition saying which and why; the rest serve.
 * Route names are {@code proxyroute/<ns>/<name>/<route name or index>/<host>}.
 */
final class ProxyRoutePass {
  static final String KIND = "ProxyRoute";

  /** Route names end up in snapshot route names and metric labels: keep them tame. */
  private static final Pattern ROUTE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");

  private final StatusCollector status;
  private final RouteTable table;
  private final ProxyRouteTranslator translator;
  private final ErrorPagesTranslation errorPages;

  ProxyRoutePass(BackendResolver backends, CaBundles caBundles, StaticSites sites,
      StatusCollector status, RouteTable table) {
    this.status = status;
    this.table = table;
    this.translator = new ProxyRouteTranslator(backends, new ClusterPolicies(caBundles), sites);
    this.errorPages = new ErrorPagesTranslation(backends, null);
  }

  void run(List<ProxyRoute> ours) {
    for (ProxyRoute object : ours) {
      ObjectRef ref = ObjectAge.ref(KIND, object);
      status.track(ref);
      List<RouteCandidate> candidates = new ArrayList<>();
      try {
        compile(ref, object, candidates);
      } catch (RuntimeException e) {
        // An unforeseen shape costs this ProxyRoute only, never the whole snapshot.
        status.rejected(ref, Reasons.INVALID_ROUTE, "could not be compiled: " + e);
        continue;
      }
      candidates.forEach(table::add);
    }
  }

  private void compile(ObjectRef ref, ProxyRoute object, List<RouteCandidate> out) {
    ProxyRouteSpec spec = object.getSpec();
    if (spec == null || spec.hosts == null || spec.hosts.isEmpty()) {
      status.rejected(ref, Reasons.INVALID_ROUTE, "spec.hosts must name at least one host");
      return;
    }
    if (spec.routes == null || spec.routes.isEmpty()) {
      status.rejected(ref, Reasons.INVALID_ROUTE, "spec.routes must have at least one route");
      return;
    }
    Set<String> hosts = hosts(ref, spec.hosts);
    List<FilterConfig> specFilters;
    List<BackendResolver.Resolution> errorBackend = new ArrayList<>(1);
    try {
      specFilters = FilterTranslation.ofSpec(spec, failedClosed(ref, ""));
      specFilters = ErrorPagesTranslation.with(specFilters,
          errorPages.of(ref, spec.errorPages, "spec.errorPages", errorBackend));
      errorBackend.forEach(r -> status.unresolved(ref, r.reason(), r.message()));
      errorBackend.clear();
    } catch (InvalidInputException e) {
      status.rejected(ref, e.reasonOr(Reasons.INVALID_ROUTE), e.getMessage());
      return;
    }
    Instant created = ObjectAge.created(object.getMetadata());
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < spec.routes.size(); i++) {
      RouteSpec routeSpec = spec.routes.get(i);
      String id = routeSpec == null || routeSpec.name == null ? Integer.toString(i) : routeSpec.name;
      String where = "route " + id;
      if (routeSpec == null) {
        status.rejected(ref, Reasons.INVALID_ROUTE, where + ": empty");
        continue;
      }
      if (routeSpec.name != null && !ROUTE_NAME.matcher(routeSpec.name).matches()) {
        status.rejected(ref, Reasons.INVALID_ROUTE,
            "route " + i + ": name '" + routeSpec.name + "' must be a DNS label (a-z, 0-9, '-')");
        continue;
      }
      if (!ids.add(id)) {
        status.rejected(ref, Reasons.INVALID_ROUTE, where + ": the name is used twice");
        continue;
      }
      ProxyRouteTranslator.Translated t;
      List<FilterConfig> filters;
      try {
        t = translator.translate(ref.namespace(), routeSpec);
        filters = FilterTranslation.ofRoute(routeSpec, specFilters, failedClosed(ref, where + ": "));
        filters = errorPages.ofRoute(ref, routeSpec, filters, errorBackend);
      } catch (InvalidInputException e) {
        status.rejected(ref, e.reasonOr(Reasons.INVALID_ROUTE), where + ": " + e.getMessage());
        continue;
      }
      errorBackend.forEach(r -> status.unresolved(ref, r.reason(), r.message()));
      errorBackend.clear();
      for (BackendResolver.Resolution r : t.unresolved()) {
        status.unresolved(ref, r.reason(), r.message());
      }
      String description = where + " (" + describe(t) + ")";
      for (String host : hosts) {
        String name = "proxyroute/" + ref.namespace() + "/" + ref.name() + "/" + id + "/" + host;
        Route route = new Route(
            name, t.match(), t.action(), t.requestHeaders(), t.responseHeaders(), filters);
        out.add(new RouteCandidate(host, route, ref, created, i, description));
      }
    }
  }

  /** Reports a filter setting that failed closed: the route stays, refusing requests. */
  private FilterTranslation.Invalid failedClosed(ObjectRef ref, String where) {
    return (field, value, e) ->
        status.rejected(ref, e.reasonOr(Reasons.INVALID_ROUTE), where + e.getMessage());
  }

  private Set<String> hosts(ObjectRef ref, List<String> declared) {
    Set<String> hosts = new LinkedHashSet<>();
    for (String host : declared) {
      if (host == null || host.isEmpty()) {
        status.rejected(ref, Reasons.INVALID_ROUTE, "spec.hosts: an entry is empty");
        continue;
      }
      try {
        hosts.add(HostNames.normalize(host));
      } catch (InvalidInputException e) {
        status.rejected(ref, Reasons.INVALID_ROUTE, "spec.hosts: " + e.getMessage());
      }
    }
    return hosts;
  }

  private static String describe(ProxyRouteTranslator.Translated t) {
    StringBuilder sb = new StringBuilder("path ").append(IngressPass.describe(t.match().path()));
    if (!t.match().headers().isEmpty()) {
      sb.append(", headers ").append(t.match().headers().stream().map(h -> h.name()).toList());
    }
    if (!t.match().methods().isEmpty()) {
      sb.append(", methods ").append(t.match().methods());
    }
    return sb.toString();
  }
}
