package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.crd.AuthSpec;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.AuthMechanism;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.FilterConfig;
import io.portcullis.snapshot.filter.OidcAuth;
import io.portcullis.snapshot.filter.UnusableAuth;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Authentication: ProxyRoute {@code auth} (spec-wide, or per route replacing it) and the Ingress
 * annotations {@code portcullis.io/auth-type: basic} with {@code auth-secret} and {@code
 * auth-realm}, or {@code portcullis.io/auth-url} with {@code auth-response-headers}, each turned into
 * a mechanism by {@link AuthMechanisms} (which reads the Secrets). Runs after the route table, like
 * the TLS pass, and attaches an {@link AuthPolicy} to each route by the name the route passes gave
 * it.
 *
 * <p>Authentication that cannot be used fails closed: the route stays (dropping it could let a
 * less specific route without authentication answer) and carries {@link UnusableAuth}, which
 * answers 503; the object is told why in a condition (ProxyRoute) or an Event (Ingress).
 */
final class AuthPass {
  private final AuthMechanisms mechanisms;
  private final StatusCollector status;
  /** Route name prefix ({@code proxyroute/ns/name/id/}, {@code ingress/ns/name/}) to its policy. */
  private final Map<String, AuthPolicy> byRoutePrefix = new HashMap<>();
  /** Routes for OIDC callback and logout paths that no route of their object covers. */
  private final List<RouteCandidate> endpointRoutes = new ArrayList<>();

  AuthPass(List<Secret> secretList, StatusCollector status) {
    this.mechanisms = new AuthMechanisms(secretList);
    this.status = status;
  }

  void run(List<Ingress> ingresses, List<ProxyRoute> proxyRoutes) {
    for (Ingress ingress : ingresses) {
      Map<String, String> annotations = ingress.getMetadata().getAnnotations();
      if (annotations == null || (!annotations.containsKey(AuthMechanisms.AUTH_TYPE)
          && !annotations.containsKey(AuthMechanisms.AUTH_URL))) {
        continue;
      }
      ObjectRef ref = ObjectAge.ref(IngressPass.KIND, ingress);
      AuthMechanism mechanism;
      try {
        mechanism = mechanisms.fromAnnotations(ref.namespace(), annotations);
      } catch (InvalidInputException e) {
        status.event(ref, true, e.reasonOr(Reasons.INVALID_AUTH), "authentication annotations: "
            + e.getMessage() + "; every path of this Ingress answers 503 until this is fixed");
        mechanism = new UnusableAuth(e.getMessage());
      }
      byRoutePrefix.put("ingress/" + ref.namespace() + "/" + ref.name() + "/",
          new AuthPolicy(mechanism));
    }
    for (ProxyRoute route : proxyRoutes) {
      ProxyRouteSpec spec = route.getSpec();
      if (spec == null || spec.routes == null) {
        continue;
      }
      ObjectRef ref = ObjectAge.ref(ProxyRoutePass.KIND, route);
      AuthPolicy specWide = spec.auth == null ? null : translate(ref, "spec.auth", spec.auth);
      for (int i = 0; i < spec.routes.size(); i++) {
        ProxyRouteSpec.RouteSpec r = spec.routes.get(i);
        if (r == null) {
          continue;
        }
        String id = r.name == null ? Integer.toString(i) : r.name;
        AuthPolicy policy = r.auth == null ? specWide : translate(ref, "route " + id + ": auth", r.auth);
        if (policy != null) {
          byRoutePrefix.put(
              "proxyroute/" + ref.namespace() + "/" + ref.name() + "/" + id + "/", policy);
        }
      }
      oidcEndpoints(ref, route, specWide);
    }
  }

  /**
   * The sign-in callback and logout paths must reach the OIDC filter even when no route of the
   * ProxyRoute covers them (its routes serve {@code /app} only, say): for each such path an exact
   * route carrying the policy is added on the object's hosts. The filter always answers those
   * paths, so the route's own action is never used.
   */
  private void oidcEndpoints(ObjectRef ref, ProxyRoute route, AuthPolicy specWide) {
    ProxyRouteSpec spec = route.getSpec();
    Map<String, AuthPolicy> needed = new LinkedHashMap<>();
    for (int i = 0; i < spec.routes.size(); i++) {
      ProxyRouteSpec.RouteSpec r = spec.routes.get(i);
      if (r == null) {
        continue;
      }
      String id = r.name == null ? Integer.toString(i) : r.name;
      AuthPolicy policy = byRoutePrefix.get(
          "proxyroute/" + ref.namespace() + "/" + ref.name() + "/" + id + "/");
      if (policy != null && policy.mechanism() instanceof OidcAuth oidc) {
        needed.putIfAbsent(oidc.callbackPath(), policy);
        needed.putIfAbsent(oidc.logoutPath(), policy);
      }
    }
    needed.keySet().removeIf(path -> spec.routes.stream().anyMatch(r -> covers(r, path)));
    if (needed.isEmpty() || spec.hosts == null) {
      return;
    }
    java.time.Instant created = ObjectAge.created(route.getMetadata());
    int ordinal = spec.routes.size();
    for (Map.Entry<String, AuthPolicy> e : needed.entrySet()) {
      String id = "oidc" + e.getKey().replace('/', '-');
      for (String declared : spec.hosts) {
        String host;
        try {
          host = HostNames.normalize(declared);
        } catch (InvalidInputException ex) {
          continue; // reported by the ProxyRoute pass
        }
        Route endpoint = new Route(
            "proxyroute/" + ref.namespace() + "/" + ref.name() + "/" + id + "/" + host,
            RouteMatch.path(new PathMatch.Exact(e.getKey())),
            new RouteAction.DirectResponse(404, null), HeaderRewrite.NONE, HeaderRewrite.NONE,
            List.of(e.getValue()));
        endpointRoutes.add(new RouteCandidate(host, endpoint, ref, created, ordinal++,
            "OpenID Connect endpoint " + e.getKey()));
      }
    }
  }

  /** True when route {@code r} (any method, any headers) matches {@code path} by prefix. */
  private static boolean covers(ProxyRouteSpec.RouteSpec r, String path) {
    if (r == null || r.backends == null) {
      return false;
    }
    if (r.match == null) {
      return true;
    }
    if ((r.match.headers != null && !r.match.headers.isEmpty())
        || (r.match.methods != null && !r.match.methods.isEmpty())) {
      return false;
    }
    if (r.match.path == null) {
      return true;
    }
    String prefix = r.match.path.prefix;
    if (prefix == null) {
      return path.equals(r.match.path.exact);
    }
    String p = prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
    return p.isEmpty() || path.equals(p) || path.startsWith(p + "/");
  }

  /** Adds the OIDC endpoint routes to the route table (before it is built). */
  void addRoutes(RouteTable table) {
    endpointRoutes.forEach(table::add);
  }

  /** The virtual hosts with each protected route carrying its policy. */
  List<VirtualHost> attach(List<VirtualHost> virtualHosts) {
    if (byRoutePrefix.isEmpty()) {
      return virtualHosts;
    }
    List<VirtualHost> out = new ArrayList<>(virtualHosts.size());
    for (VirtualHost vhost : virtualHosts) {
      List<Route> routes = new ArrayList<>(vhost.routes().size());
      for (Route route : vhost.routes()) {
        AuthPolicy policy = byRoutePrefix.get(prefix(route.name()));
        if (policy == null) {
          routes.add(route);
        } else {
          List<FilterConfig> filters = new ArrayList<>(route.filters());
          filters.removeIf(f -> f instanceof AuthPolicy);
          filters.add(policy);
          routes.add(route.withFilters(filters));
        }
      }
      out.add(new VirtualHost(vhost.host(), routes, vhost.tls(), vhost.filters()));
    }
    return out;
  }

  /** {@code proxyroute/ns/name/id/} or {@code ingress/ns/name/} of a route name; else the name. */
  private static String prefix(String routeName) {
    int parts = routeName.startsWith("proxyroute/") ? 4 : routeName.startsWith("ingress/") ? 3 : 0;
    int at = -1;
    for (int i = 0; i < parts; i++) {
      at = routeName.indexOf('/', at + 1);
      if (at < 0) {
        return routeName;
      }
    }
    return parts == 0 ? routeName : routeName.substring(0, at + 1);
  }

  private AuthPolicy translate(ObjectRef ref, String where, AuthSpec spec) {
    try {
      return new AuthPolicy(mechanisms.fromSpec(ref.namespace(), spec));
    } catch (InvalidInputException e) {
      String message = where + ": " + e.getMessage() + "; answering 503 until this is fixed";
      if (Reasons.INVALID_AUTH_SECRET.equals(e.reasonOr(Reasons.INVALID_AUTH))) {
        status.unresolved(ref, Reasons.INVALID_AUTH_SECRET, message);
      } else {
        status.rejected(ref, Reasons.INVALID_AUTH, message);
      }
      return new AuthPolicy(new UnusableAuth(e.getMessage()));
    }
  }

}
