package io.portcullis.dataplane.config;

import io.portcullis.dataplane.http.RequestHead;
import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.http.Cookies;
import io.portcullis.snapshot.CookieMatch;
import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import java.util.List;
import java.util.function.Function;
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
  /** The compiled pattern of each header match, at its index; null for non-regex matches. */
  private final Pattern[] headerPatterns;
  private final List<CookieMatch> cookies;
  private final List<String> methods;
  final WeightedPicker<ClusterRuntime> backends;
  final FilterChain filters;
  /** A regex route's rewrite that refers to capture groups, or null. */
  private final RegexRewrite groupRewrite;

  CompiledRoute(
      int priority, Route route, Function<String, ClusterRuntime> clusters, FilterChain filters) {
    this.priority = priority;
    this.route = route;
    this.filters = filters;
    this.headers = route.match().headers();
    this.headerPatterns = new Pattern[headers.size()];
    for (int i = 0; i < headers.size(); i++) {
      HeaderMatch h = headers.get(i);
      if (h.type() == HeaderMatch.Type.REGEX) {
        headerPatterns[i] = compile(route, "header " + h.name(), h.value());
      }
    }
    this.cookies = route.match().cookies();
    this.methods = route.match().methods();
    this.regex = route.match().path() instanceof PathMatch.Regex r
        ? compile(route, "path", r.pattern()) : null;
    this.groupRewrite = regex != null && route.action() instanceof RouteAction.Forward f
        ? RegexRewrite.of(regex, f.prefixRewrite()) : null;
    this.backends =
        route.action() instanceof RouteAction.Forward f
            ? new WeightedPicker<>(
                f.backends().stream().map(b -> clusters.apply(b.cluster())).toList(),
                f.backends().stream().mapToInt(b -> b.weight()).toArray())
            : null;
  }

  private static Pattern compile(Route route, String where, String pattern) {
    try {
      return Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new ConfigRejectedException(
          "route " + route.name() + " has an invalid " + where + " regex: " + e.getMessage(),
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
    for (int i = 0; i < headers.size(); i++) {
      HeaderMatch h = headers.get(i);
      String value = request.headers().get(h.name());
      boolean ok =
          switch (h.type()) {
            case PRESENT -> value != null;
            case EXACT -> h.value().equals(value);
            case PREFIX -> value != null && value.startsWith(h.value());
            case REGEX -> value != null && headerPatterns[i].matches(value);
          };
      if (!ok) {
        return false;
      }
    }
    if (!cookies.isEmpty()) {
      List<String> fields = request.headers().getAll("cookie");
      for (CookieMatch c : cookies) {
        if (!c.value().equals(Cookies.first(fields, c.name()))) {
          return false;
        }
      }
    }
    return true;
  }
}
