package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.HTTPIngressPath;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressServiceBackend;
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

  IngressPass(BackendResolver backends, StatusCollector status, RouteTable table) {
    this.backends = backends;
    this.status = status;
    this.table = table;
  }

  void run(List<Ingress> ours) {
    for (Ingress ingress : ours) {
      ObjectRef ref = ObjectAge.ref(KIND, ingress);
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
  }

  private void compile(ObjectRef ref, Ingress ingress, List<RouteCandidate> out) {
    if (ingress.getSpec() == null || ingress.getSpec().getRules() == null) {
      return;
    }
    Instant created = ObjectAge.created(ingress.getMetadata());
    boolean useRegex = "true".equals(annotation(ingress, USE_REGEX_ANNOTATION));
    IngressAnnotations policy =
        IngressAnnotations.read(ref, ingress.getMetadata().getAnnotations(), status);
    List<IngressRule> rules = ingress.getSpec().getRules();
    int ordinal = 0;
    for (int r = 0; r < rules.size(); r++) {
      IngressRule rule = rules.get(r);
      if (rule == null || rule.getHttp() == null || rule.getHttp().getPaths() == null) {
        continue;
      }
      String host;
      try {
        host = HostNames.normalize(rule.getHost());
      } catch (InvalidInputException e) {
        status.rejected(ref, Reasons.INVALID_ROUTE, "rule " + r + ": " + e.getMessage());
        continue;
      }
      List<HTTPIngressPath> paths = rule.getHttp().getPaths();
      for (int p = 0; p < paths.size(); p++) {
        String name = "ingress/" + ref.namespace() + "/" + ref.name() + "/r" + r + "/p" + p;
        RouteCandidate candidate = path(ref, created, host, paths.get(p), useRegex, policy, name,
            ordinal++, "rule " + r + " path " + p);
        if (candidate != null) {
          out.add(candidate);
        }
      }
    }
  }

  private RouteCandidate path(ObjectRef ref, Instant created, String host, HTTPIngressPath path,
      boolean useRegex, IngressAnnotations policy, String routeName, int ordinal, String where) {
    PathMatch match;
    try {
      match = pathMatch(path, useRegex);
    } catch (InvalidInputException e) {
      status.rejected(ref, Reasons.INVALID_ROUTE, where + ": " + e.getMessage());
      return null;
    }
    String cluster = backendCluster(ref, path.getBackend(), policy, where);
    if (cluster == null) {
      return null;
    }
    RouteAction.Forward forward = new RouteAction.Forward(List.of(new WeightedBackend(cluster, 1)),
        null, policy.timeoutMillis(), 0, policy.retries(), null);
    Route route = Route.of(routeName, RouteMatch.path(match), forward).withFilters(policy.filters());
    return new RouteCandidate(host, route, ref, created, ordinal, "path " + describe(match));
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
