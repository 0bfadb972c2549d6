package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.PathMatch;
import java.util.regex.Pattern;

/**
 * ingress-nginx's regex paths and {@code rewrite-target} on our path matches.
 *
 * <p>ingress-nginx puts a host's paths in {@code location ~* "^PATH"} blocks when an Ingress of
 * it uses {@code use-regex} or {@code rewrite-target}: case-insensitive, anchored at the start
 * only. {@link #nginxRegex} gives an RE2 expression that the snapshot's whole-path match reads
 * the same way, with the capture groups unchanged.
 *
 * <p>{@code rewrite-target} becomes {@code rewrite "(?i)PATH" TARGET break;}: the whole request
 * path is replaced by the target after {@code $n} is substituted with the path's capture groups
 * (the query string is kept). The snapshot's rewrite of a regex route does exactly that, so:
 *
 * <ul>
 *   <li>a regex route keeps its match; the target, with any {@code $n}, is its rewrite;
 *   <li>a target without {@code $n} on an exact route replaces the path; on a prefix route the
 *       route becomes the regex {@code PREFIX(/.*)?} so that it replaces the whole path too;
 *   <li>{@code $n} on a prefix or exact path has no groups to refer to: refused.
 * </ul>
 */
public final class RewriteTarget {
  private static final Pattern GROUP_REF = Pattern.compile("\\$\\d");

  private RewriteTarget() {}

  /**
   * How a route matches and rewrites.
   *
   * @param match the path match the route gets
   * @param rewrite the snapshot's {@code prefixRewrite}
   */
  public record Plan(PathMatch match, String rewrite) {}

  private static final String NGINX_OPEN = "(?i)(?:";
  private static final String NGINX_CLOSE = ").*";

  /** ingress-nginx's reading of a regex path: case-insensitive, anchored at the start only. */
  public static PathMatch.Regex nginxRegex(PathMatch.Regex path) {
    return new PathMatch.Regex(NGINX_OPEN + path.pattern() + NGINX_CLOSE);
  }

  /**
   * The pattern as the Ingress wrote it, before {@link #nginxRegex} (route order compares the
   * lengths of written patterns, as ingress-nginx does).
   */
  public static String written(PathMatch.Regex path) {
    String p = path.pattern();
    return p.startsWith(NGINX_OPEN) && p.endsWith(NGINX_CLOSE)
        && p.length() >= NGINX_OPEN.length() + NGINX_CLOSE.length()
        ? p.substring(NGINX_OPEN.length(), p.length() - NGINX_CLOSE.length()) : p;
  }

  /**
   * @throws IllegalArgumentException (its message says why) when the target refers to capture
   *     groups a path without groups cannot have
   */
  public static Plan plan(PathMatch match, String target) {
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("the target must be a path starting with / (a URL with"
          + " a scheme would be a redirect)");
    }
    if (match instanceof PathMatch.Regex) {
      return new Plan(match, target);
    }
    if (GROUP_REF.matcher(target).find()) {
      throw new IllegalArgumentException("the target refers to capture groups ($n), which only a"
          + " regex path has (pathType ImplementationSpecific); the path is served without the"
          + " rewrite");
    }
    if (match instanceof PathMatch.Prefix p) {
      String regex = p.value().equals("/") ? "/.*" : quote(p.value()) + "(/.*)?";
      return new Plan(new PathMatch.Regex(regex), target);
    }
    return new Plan(match, target);
  }

  /** {@code literal} as an RE2 expression that matches only itself. */
  static String quote(String literal) {
    StringBuilder out = new StringBuilder(literal.length() + 8);
    for (char c : literal.toCharArray()) {
      if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
        out.append('\\');
      }
      out.append(c);
    }
    return out.toString();
  }
}
