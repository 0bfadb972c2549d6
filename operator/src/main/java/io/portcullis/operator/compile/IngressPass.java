package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
import io.portcullis.operator.compile.nginx.Canary;
import io.portcullis.operator.compile.nginx.NginxAnnotations;
import io.portcullis.operator.compile.nginx.NginxTranslation;
import io.portcullis.operator.compile.nginx.RewriteTarget;
import io.portcullis.operator.compile.nginx.RouteExtras;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.WeightedBackend;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns the rules of our Ingresses into route candidates. Each path is judged alone: an invalid
 * host, path or backend drops that rule (with an event) and the other rules of the Ingress still
 * serve. Route names are {@code ingress/<ns>/<name>/r<rule>/p<path>}.
 *
 * <p>{@code ImplementationSpecific} is documented as: Prefix, unless the Ingress carries
 * {@code portcullis.io/use-regex: "true"}, in which case the path is an RE2 regular expression
 * matched against the whole request path.
 */
final class IngressPass {
  static final String KIND = "Ingress";
  static final String USE_REGEX_ANNOTATION = "portcullis.io/use-regex";

  private final BackendResolver backends;
  private final StatusCollector status;
  private final RouteTable table;
  private final Map<ObjectRef, NginxTranslation> nginx;
  private final CanarySplits canaries;
  private final ErrorPagesTranslation errorPages;

  IngressPass(BackendResolver backends, StatusCollector status, RouteTable table) {
    this(backends, status, table, Map.of());
  }

  IngressPass(BackendResolver backends, StatusCollector status, RouteTable table,
      Map<ObjectRef, NginxTranslation> nginx) {
    this(backends, status, table, nginx, new ErrorPagesTranslation(backends, null));
  }

  /** @param nginx what the ingress-nginx annotations of each Ingress ask for (see NginxPass) */
  IngressPass(BackendResolver backends, StatusCollector status, RouteTable table,
      Map<ObjectRef, NginxTranslation> nginx, ErrorPagesTranslation errorPages) {
    this.errorPages = errorPages;
    this.backends = backends;
    this.status = status;
    this.table = table;
    this.nginx = nginx;
    this.canaries = new CanarySplits(status);
  }

  void run(List<Ingress> ours) {
    // Canaries first: they are not routes of their own but splits of the main Ingresses' routes.
    for (Ingress ingress : ours) {
      ObjectRef ref = ObjectAge.ref(KIND, ingress);
      NginxTranslation t = nginx.get(ref);
      if (t != null && t.canary() != null) {
        status.track(ref);
        try {
          canary(ref, ingress, t);
        } catch (RuntimeException e) {
          status.rejected(ref, Reasons.INVALID_ROUTE, "could not be compiled: " + e);
        }
      }
    }
    for (Ingress ingress : ours) {
      ObjectRef ref = ObjectAge.ref(KIND, ingress);
      NginxTranslation t = nginx.get(ref);
      if (t != null && t.canary() != null) {
        continue;
      }
      status.track(ref);
      List<RouteCandidate> candidates = new ArrayList<>();
      try {
        compile(ref, ingress, candidates);
      } catch (RuntimeException e) {
        // A shape we did not foresee (nulls where the API never sends them) must cost this
        // Ingress only, never the whole snapshot.
        status.rejected(ref, Reasons.INVALID_ROUTE, "could not be compiled: " + e);
        continue;
      }
      candidates.forEach(table::add);
    }
    canaries.reportUnused();
  }

  /** Registers a canary Ingress's paths as splits for the main routes of the same host and path. */
  private void canary(ObjectRef ref, Ingress ingress, NginxTranslation t) {
    if (ingress.getSpec() == null || ingress.getSpec().getRules() == null) {
      return;
    }
    boolean useRegex = "true".equals(annotation(ingress, USE_REGEX_ANNOTATION));
    // As in ingress-nginx, a canary keeps its own balancing, hashing and affinity.
    IngressAnnotations policy = NginxPass.withExtras(
        IngressAnnotations.read(ref, ingress.getMetadata().getAnnotations(), status), t.route(),
        ingress);
    List<IngressRule> rules = ingress.getSpec().getRules();
    for (int r = 0; r < rules.size(); r++) {
      IngressRule rule = rules.get(r);
      if (rule == null || rule.getHttp() == null || rule.getHttp().getPaths() == null) {
        continue;
      }
      for (String host : hosts(ref, rule, t, "rule " + r)) {
        List<HTTPIngressPath> paths = rule.getHttp().getPaths();
        for (int p = 0; p < paths.size(); p++) {
          String where = "rule " + r + " path " + p;
          PathMatch match;
          try {
            match = pathMatch(paths.get(p), useRegex);
          } catch (InvalidInputException e) {
            status.rejected(ref, Reasons.INVALID_ROUTE, where + ": " + e.getMessage());
            continue;
          }
          String cluster = backendCluster(ref, paths.get(p).getBackend(), policy, where);
          if (cluster != null) {
            canaries.add(host, match, new CanarySplits.Split(ref, cluster, t.canary()));
          }
        }
      }
    }
  }

  /** The rule's host, then server-alias's hosts (for rules with a host); empty when invalid. */
  private List<String> hosts(ObjectRef ref, IngressRule rule, NginxTranslation t, String where) {
    String host;
    try {
      host = HostNames.normalize(rule.getHost());
    } catch (InvalidInputException e) {
      status.rejected(ref, Reasons.INVALID_ROUTE, where + ": " + e.getMessage());
      return List.of();
    }
    if (t == null || t.aliases().isEmpty() || host == null || host.isEmpty()
        || host.equals(io.portcullis.snapshot.VirtualHost.ANY_HOST)) {
      return java.util.Collections.singletonList(host);
    }
    List<String> all = new ArrayList<>();
    all.add(host);
    for (String alias : t.aliases()) {
      try {
        String normal = HostNames.normalize(alias);
        if (!all.contains(normal)) {
          all.add(normal);
        }
      } catch (InvalidInputException e) {
        status.event(ref, true, Reasons.INVALID_ANNOTATION, "server-alias " + alias + ": " + e.getMessage());
      }
    }
    return all;
  }

  private void compile(ObjectRef ref, Ingress ingress, List<RouteCandidate> out) {
    if (ingress.getSpec() == null || ingress.getSpec().getRules() == null) {
      return;
    }
    Instant created = ObjectAge.created(ingress.getMetadata());
    boolean useRegex = "true".equals(annotation(ingress, USE_REGEX_ANNOTATION));
    NginxTranslation t = nginx.get(ref);
    RouteExtras extras = t == null ? RouteExtras.NONE : t.route();
    // Regex paths asked for by nginx.ingress.kubernetes.io/use-regex (or rewrite-target) are read
    // as ingress-nginx reads them; our own portcullis.io/use-regex keeps whole-path RE2.
    boolean nginxRegex = t != null && "true".equals(t.annotations().get(USE_REGEX_ANNOTATION));
    IngressAnnotations policy = NginxPass.withExtras(
        IngressAnnotations.read(ref, ingress.getMetadata().getAnnotations(), status), extras,
        ingress);
    policy = policy.withFilters(ErrorPagesTranslation.with(policy.filters(),
        errorPages.of(ref, ingress.getMetadata().getAnnotations(), status)));
    List<IngressRule> rules = ingress.getSpec().getRules();
    int ordinal = 0;
    List<String> appRootHosts = new ArrayList<>();
    for (int r = 0; r < rules.size(); r++) {
      IngressRule rule = rules.get(r);
      if (rule == null || rule.getHttp() == null || rule.getHttp().getPaths() == null) {
        continue;
      }
      for (String host : hosts(ref, rule, t, "rule " + r)) {
        List<HTTPIngressPath> paths = rule.getHttp().getPaths();
        for (int p = 0; p < paths.size(); p++) {
          out.addAll(path(ref, created, host, paths.get(p), useRegex, nginxRegex, policy, extras,
              ordinal++, "rule " + r + " path " + p));
        }
        if (extras.appRoot() != null && !appRootHosts.contains(host)) {
          appRootHosts.add(host);
          PathMatch root = new PathMatch.Exact("/");
          Route route = new Route(routeName(ref, host, root) + " app-root", RouteMatch.path(root),
              new RouteAction.Redirect(null, null, 0, extras.appRoot(), 302), null, null,
              policy.filters());
          // Ordinal -1: ingress-nginx answers app-root before any location of the server.
          out.add(new RouteCandidate(host, route, ref, created, -1, "app-root"));
        }
      }
    }
  }

  private List<RouteCandidate> path(ObjectRef ref, Instant created, String host,
      HTTPIngressPath path, boolean useRegex, boolean nginxRegex, IngressAnnotations policy,
      RouteExtras extras, int ordinal, String where) {
    PathMatch match;
    try {
      match = pathMatch(path, useRegex);
    } catch (InvalidInputException e) {
      status.rejected(ref, Reasons.INVALID_ROUTE, where + ": " + e.getMessage());
      return List.of();
    }
    PathMatch original = match;
    // Named as written, whatever the nginx reading of a regex makes of it.
    PathMatch named = match;
    if (nginxRegex && match instanceof PathMatch.Regex regex) {
      match = RewriteTarget.nginxRegex(regex);
    }
    String prefixRewrite = null;
    if (extras.rewriteTarget() != null) {
      try {
        RewriteTarget.Plan plan = RewriteTarget.plan(match, extras.rewriteTarget());
        if (plan.match() != match) {
          named = plan.match();
        }
        match = plan.match();
        prefixRewrite = plan.rewrite();
      } catch (IllegalArgumentException e) {
        status.event(ref, true, Reasons.NGINX_ANNOTATION_REFUSED, "annotation "
            + NginxAnnotations.PREFIX + "rewrite-target on " + where + " (" + describe(named)
            + ") is refused: " + e.getMessage());
      }
    }
    String routeName = routeName(ref, host, named);
    RouteMatch routeMatch = RouteMatch.path(match);
    if (extras.redirect() != null) {
      Route route = new Route(routeName, routeMatch, extras.redirect(), null, null, policy.filters());
      return List.of(new RouteCandidate(host, route, ref, created, ordinal, "path " + describe(match)));
    }
    policy = NginxPass.forPath(policy, extras, original, path.getPath());
    String cluster = backendCluster(ref, path.getBackend(), policy, where);
    if (cluster == null) {
      return List.of();
    }
    IngressServiceBackend service = path.getBackend().getService();
    policy = policy.withFilters(ErrorPagesTranslation.forBackend(
        policy.filters(), service.getName(), servicePort(service)));
    CanarySplits.Split canary = canaries.take(host, original);
    List<RouteCandidate> out = new ArrayList<>(3);
    List<WeightedBackend> backends = List.of(new WeightedBackend(cluster, 1));
    if (canary != null && !canary.cluster().equals(cluster)) {
      Canary c = canary.canary();
      List<WeightedBackend> toCanary = List.of(new WeightedBackend(canary.cluster(), 1));
      for (CanaryMatches.Split split : CanaryMatches.of(c, match)) {
        out.add(candidate(ref, created, host, routeName + " " + split.label(), split.match(),
            split.toCanary() ? toCanary : backends, prefixRewrite, policy, extras, ordinal));
      }
      if (c.weight() > 0) {
        backends = c.weight() == c.weightTotal()
            ? List.of(new WeightedBackend(canary.cluster(), 1))
            : List.of(new WeightedBackend(cluster, c.weightTotal() - c.weight()),
                new WeightedBackend(canary.cluster(), c.weight()));
      }
    }
    out.add(candidate(ref, created, host, routeName, routeMatch, backends, prefixRewrite, policy,
        extras, ordinal));
    return out;
  }

  private static RouteCandidate candidate(ObjectRef ref, Instant created, String host, String name,
      RouteMatch match, List<WeightedBackend> backends, String prefixRewrite,
      IngressAnnotations policy, RouteExtras extras, int ordinal) {
    RouteAction.Forward forward = new RouteAction.Forward(backends, prefixRewrite,
        policy.timeoutMillis(), extras.idleTimeoutMillis(), policy.retries(), null);
    Route route = new Route(name, match, forward, extras.requestHeaders(), null, policy.filters());
    return new RouteCandidate(host, route, ref, created, ordinal, "path " + describe(match.path())
        + (match.headers().isEmpty() ? "" : " with header " + match.headers().get(0).name())
        + (match.cookies().isEmpty() ? "" : " with cookie " + match.cookies().get(0).name()));
  }

  /** Resolves an Ingress backend to a cluster name, or reports and returns null if it has none. */
  private String backendCluster(
      ObjectRef ref, IngressBackend backend, IngressAnnotations policy, String where) {
    if (backend == null || (backend.getService() == null && backend.getResource() == null)) {
      status.rejected(ref, Reasons.INVALID_ROUTE, where + ": no backend");
      return null;
    }
    if (backend.getService() == null) {
      status.rejected(ref, Reasons.UNSUPPORTED_BACKEND,
          where + ": resource backends are not supported, only Services");
      return null;
    }
    IngressServiceBackend service = backend.getService();
    String port = servicePort(service);
    if (service.getName() == null || service.getName().isEmpty() || port == null) {
      status.rejected(ref, Reasons.INVALID_ROUTE, where + ": the backend needs a Service name and port");
      return null;
    }
    BackendResolver.Resolution resolution = backends.resolve(
        ref.namespace(), service.getName(), port, policy.policy(), policy.upstream());
    if (!resolution.ok()) {
      status.unresolved(ref, resolution.reason(), resolution.message());
    }
    return resolution.cluster();
  }

  private static String servicePort(IngressServiceBackend service) {
    if (service.getPort() == null) {
      return null;
    }
    Integer number = service.getPort().getNumber();
    if (number != null && number > 0) {
      return Integer.toString(number);
    }
    String name = service.getPort().getName();
    return name == null || name.isEmpty() ? null : name;
  }

  private static PathMatch pathMatch(HTTPIngressPath path, boolean useRegex)
      throws InvalidInputException {
    String type = path.getPathType() == null ? "ImplementationSpecific" : path.getPathType();
    String value = path.getPath();
    return switch (type) {
      case "Exact" -> PathRules.exact(value);
      case "Prefix" -> PathRules.prefix(value);
      case "ImplementationSpecific" -> {
        if (useRegex) {
          yield PathRules.regex(value);
        }
        // The API allows an empty path here; it can only mean "everything".
        yield PathRules.prefix(value == null || value.isEmpty() ? "/" : value);
      }
      default -> throw new InvalidInputException("unknown pathType '" + type + "'");
    };
  }

  /**
   * What metrics, the access log and {@code /routes} call the route: the object, then the host
   * and path a user wrote ({@code ingress/shop/front/shop.example.com/api}, {@code *} for no host,
   * {@code (exact)} or {@code (regex)} after a path of those types), not positions in the lists.
   */
  static String routeName(ObjectRef ref, String host, PathMatch match) {
    String where = (host == null || host.isEmpty() ? "*" : host);
    String path;
    if (match instanceof PathMatch.Exact e) {
      path = e.value() + " (exact)";
    } else if (match instanceof PathMatch.Prefix p) {
      path = p.value();
    } else {
      path = ((PathMatch.Regex) match).pattern() + " (regex)";
    }
    return "ingress/" + ref.namespace() + "/" + ref.name() + "/" + where + (path.startsWith("/") ? "" : "/") + path;
  }

  static String describe(PathMatch match) {
    if (match instanceof PathMatch.Exact e) {
      return "Exact " + e.value();
    }
    if (match instanceof PathMatch.Prefix p) {
      return "Prefix " + p.value();
    }
    return "Regex " + ((PathMatch.Regex) match).pattern();
  }

  private static String annotation(Ingress ingress, String key) {
    Map<String, String> annotations = ingress.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
