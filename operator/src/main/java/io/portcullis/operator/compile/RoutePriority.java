package io.portcullis.operator.compile;

import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RouteMatch;
import java.util.Comparator;

/**
 * The order of routes inside a virtual host, which is their priority (the dataplane takes the
 * first match in list order). Most specific first:
 *
 * <ol>
 *   <li>Longer path first, comparing the literal path, or the pattern's length for a regex. This is
 *       ingress-nginx's rule for regex paths, so manifests written for it keep their meaning.
 *   <li>On equal length: Exact, then Regex, then Prefix (a regex is more specific than a prefix of
 *       the same length; an exact path more than both).
 *   <li>More header conditions first, then more cookie conditions (ingress-nginx's canary
 *       precedence: header, then cookie, then weight); then routes restricted to methods (fewest methods first)
 *       before routes for every method.
 *   <li>Ties: namespace, name, kind, then the rule's position in its object: deterministic, never
 *       dependent on the order objects arrived in.
 * </ol>
 */
final class RoutePriority {
  private RoutePriority() {}

  static final Comparator<RouteCandidate> ORDER =
      Comparator.comparingInt((RouteCandidate c) -> -pathLength(c.route().match().path()))
          .thenComparingInt(c -> kindRank(c.route().match().path()))
          .thenComparingInt(c -> -c.route().match().headers().size())
          .thenComparingInt(c -> -c.route().match().cookies().size())
          .thenComparingInt(c -> methodRank(c.route().match()))
          .thenComparing(c -> c.owner().namespace())
          .thenComparing(c -> c.owner().name())
          .thenComparing(c -> c.owner().kind())
          .thenComparingInt(RouteCandidate::ordinal);

  static int pathLength(PathMatch path) {
    // Java 17: no pattern matching in switch yet; the interface is sealed to these three.
    if (path instanceof PathMatch.Exact e) {
      return e.value().length();
    }
    if (path instanceof PathMatch.Prefix p) {
      return p.value().length();
    }
    return io.portcullis.operator.compile.nginx.RewriteTarget.written((PathMatch.Regex) path).length();
  }

  private static int kindRank(PathMatch path) {
    if (path instanceof PathMatch.Exact) {
      return 0;
    }
    return path instanceof PathMatch.Regex ? 1 : 2;
  }

  private static int methodRank(RouteMatch match) {
    return match.methods().isEmpty() ? Integer.MAX_VALUE : match.methods().size();
  }
}
