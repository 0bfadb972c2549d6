package io.portcullis.dataplane.config;

import io.portcullis.dataplane.http.RequestHead;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import java.util.List;
import java.util.Map;

/**
 * A route prepared for matching: its regex compiled (RE2: linear time whatever the pattern), its
 * backends resolved to cluster instances and their weighted picker ready, its filter chain
 * compiled.
 */
final class CompiledRoute {
  final int priority;
  final Route route;
  private final Pattern regex;
  private final List<HeaderMatch> headers;
  private final List<String> methods;
  final WeightedPicker<ClusterRuntime> backends;
  final FilterChain filters;
  /** A regex route's rewrite that refers to capture groups, or null. */
  private final RegexRewrite groupRewrite;

  CompiledRoute(
      int priority, Route route, Map<String, ClusterRuntime> clusters, FilterChain filters) {
    this.priority = priority;
    this.route = route;
    this.filters = filters;
    this.headers = route.match().headers();
    this.methods = route.match().methods();
    this.regex = route.match().path() instanceof PathMatch.Regex r ? compile(route, r) : null;
    this.groupRewrite = regex != null && route.action() instanceof RouteAction.Forward f
        ? RegexRewrite.of(regex, f.prefixRewrite()) : null;
    this.backends =
        route.action() instanceof RouteAction.Forward f
            ? new WeightedPicker<>(
                f.backends().stream().map(b -> clusters.get(b.cluster())).toList(),
                f.backends().stream().mapToInt(b -> b.weight()).toArray())
            : null;
  }

  private static Pattern compile(Route route, PathMatch.Regex regex) {
    try {
      return Pattern.compile(regex.pattern());
    } catch (PatternSyntaxException e) {
      throw new ConfigRejectedException(
          "route " + route.name() + " has an invalid regex: " + e.getMessage(),
          List.of("route/" + route.name()));
    }
  }

  /** The path to send upstream for {@code path} (normalized), the route's rewrite applied. */
  String upstreamPath(String rewrite, String path) {
    return groupRewrite != null
        ? groupRewrite.apply(path) : RuntimeConfig.rewrite(route.match().path(), rewrite, path);
  }

  /** Whether the request satisfies everything but the exact/prefix path part the index checked. */
  boolean accepts(String path, RequestHead request) {
    if (regex != null && !regex.matches(path)) {
      return false;
    }
    if (!methods.isEmpty() && !methods.contains(request.method())) {
      return false;
    }
    for (HeaderMatch h : headers) {
      String value = request.headers().get(h.name());
      boolean ok =
          switch (h.type()) {
            case PRESENT -> value != null;
            case EXACT -> h.value().equals(value);
            case PREFIX -> value != null && value.startsWith(h.value());
          };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
