package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.PathMatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * ingress-nginx's {@code rewrite-target} on our path matches. ingress-nginx replaces the whole
 * request path with the target, after substituting the path regex's capture groups. The snapshot
 * has two rewrites: a prefix rewrite (replace the matched prefix) and, for exact and regex
 * routes, a whole-path replacement. So:
 *
 * <ul>
 *   <li>a target without {@code $n} replaces the whole path: exact and regex routes as they are,
 *       a prefix route becomes the regex {@code PREFIX(/.*)?} so that it does;
 *   <li>the two capture shapes everyone copies from the documentation, {@code PATH(/|$)(.*)} with
 *       {@code BASE$2} and {@code PATH/(.*)} with {@code BASE$1}, are exactly a prefix rewrite of
 *       {@code PATH} to {@code BASE};
 *   <li>any other use of capture groups needs a regex rewrite the snapshot does not have: refused.
 * </ul>
 */
public final class RewriteTarget {
  private static final Pattern GROUP_REF = Pattern.compile("\\$\\d");
  /** A literal path: no regex syntax in it. */
  private static final String LITERAL = "(/[^\\\\.+*?()|\\[\\]{}^$]*?)";
  private static final Pattern SLASH_OR_END = Pattern.compile(LITERAL + "\\(/\\|\\$\\)\\(\\.\\*\\)");
  private static final Pattern SLASH_THEN_ALL = Pattern.compile(LITERAL + "/\\(\\.\\*\\)");

  private RewriteTarget() {}

  /**
   * How a route matches and rewrites.
   *
   * @param match the path match the route gets
   * @param rewrite the snapshot's {@code prefixRewrite}
   */
  public record Plan(PathMatch match, String rewrite) {}

  /**
   * @throws IllegalArgumentException (its message says why) when the target uses capture groups
   *     in a shape the snapshot cannot express
   */
  public static Plan plan(PathMatch match, String target) {
    if (!target.startsWith("/")) {
      throw new IllegalArgumentException("the target must be a path starting with / (a URL with"
          + " a scheme would be a redirect)");
    }
    if (!GROUP_REF.matcher(target).find()) {
      if (match instanceof PathMatch.Prefix p) {
        String regex = p.value().equals("/") ? "/.*" : quote(p.value()) + "(/.*)?";
        return new Plan(new PathMatch.Regex(regex), target);
      }
      return new Plan(match, target);
    }
    if (match instanceof PathMatch.Regex r) {
      Matcher m = SLASH_OR_END.matcher(r.pattern());
      if (m.matches() && target.endsWith("/$2") && !GROUP_REF.matcher(cut(target)).find()) {
        return new Plan(new PathMatch.Prefix(prefix(m.group(1))), cut(target));
      }
      m = SLASH_THEN_ALL.matcher(r.pattern());
      if (m.matches() && target.endsWith("/$1") && !GROUP_REF.matcher(cut(target)).find()) {
        return new Plan(new PathMatch.Prefix(prefix(m.group(1))), cut(target));
      }
    }
    throw new IllegalArgumentException("capture groups compile only in the shapes PATH(/|$)(.*) →"
        + " BASE/$2 and PATH/(.*) → BASE/$1 (other shapes need a regex rewrite, which Portcullis"
        + " does not have yet); the path is served without the rewrite");
  }

  private static String cut(String target) {
    String base = target.substring(0, target.length() - 2);
    return base.isEmpty() ? "/" : base;
  }

  private static String prefix(String literal) {
    return literal.isEmpty() ? "/" : literal;
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
