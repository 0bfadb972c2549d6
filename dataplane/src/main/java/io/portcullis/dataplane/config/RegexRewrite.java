package io.portcullis.dataplane.config;

import com.google.re2j.Matcher;
import com.google.re2j.Pattern;
import java.util.ArrayList;
import java.util.List;

/**
 * The path a regex route sends upstream when its rewrite refers to the path's capture groups:
 * {@code $1} to {@code $9} in the rewrite stand for the groups of the route's regex (a group that
 * took no part is empty), everything else is literal. This is nginx's {@code rewrite REGEX
 * TARGET}, which ingress-nginx's {@code rewrite-target} compiles to: {@code /api(/|$)(.*)} with
 * {@code /$2} sends {@code /api/users} as {@code /users}. The template is parsed once per snapshot;
 * a request costs one RE2 match.
 */
final class RegexRewrite {
  private final Pattern regex;
  /** Literal text (String) and group numbers (Integer), in order. */
  private final List<Object> parts;

  private RegexRewrite(Pattern regex, List<Object> parts) {
    this.regex = regex;
    this.parts = parts;
  }

  /** The rewrite for {@code template}, or null when it refers to no group (a plain replacement). */
  static RegexRewrite of(Pattern regex, String template) {
    if (template == null) {
      return null;
    }
    List<Object> parts = new ArrayList<>();
    StringBuilder literal = new StringBuilder();
    boolean groups = false;
    for (int i = 0; i < template.length(); i++) {
      char c = template.charAt(i);
      if (c == '$' && i + 1 < template.length() && Character.isDigit(template.charAt(i + 1))) {
        if (literal.length() > 0) {
          parts.add(literal.toString());
          literal.setLength(0);
        }
        parts.add(template.charAt(++i) - '0');
        groups = true;
      } else {
        literal.append(c);
      }
    }
    if (!groups) {
      return null;
    }
    if (literal.length() > 0) {
      parts.add(literal.toString());
    }
    return new RegexRewrite(regex, List.copyOf(parts));
  }

  /** {@code path} rewritten; the route matched it, so the regex does. */
  String apply(String path) {
    Matcher m = regex.matcher(path);
    if (!m.matches()) {
      return path; // cannot happen for a path this route accepted; keep it rather than guess
    }
    StringBuilder out = new StringBuilder(path.length() + 16);
    for (Object part : parts) {
      if (part instanceof String s) {
        out.append(s);
      } else {
        int group = (Integer) part;
        String value = group <= m.groupCount() ? m.group(group) : null;
        if (value != null) {
          out.append(value);
        }
      }
    }
    return out.length() == 0 || out.charAt(0) != '/' ? "/" + out : out.toString();
  }
}
