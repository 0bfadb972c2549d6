package io.portcullis.operator.compile;

import io.portcullis.operator.compile.nginx.Canary;
import io.portcullis.snapshot.CookieMatch;
import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.RouteMatch;
import java.util.ArrayList;
import java.util.List;

/**
 * The matched routes an ingress-nginx canary adds beside its main route (which carries the
 * weighted split). Their order is the route priority's: more header conditions first, then more
 * cookie conditions, then none, which is ingress-nginx's precedence of header, cookie, weight.
 * A {@code never} value is a route of its own to the main backend, so that it ends the decision
 * as it does in ingress-nginx instead of falling through to the next rule.
 */
final class CanaryMatches {
  /** One matched route: what it matches, and whether it goes to the canary or the main backend. */
  record Split(String label, RouteMatch match, boolean toCanary) {}

  private CanaryMatches() {}

  static List<Split> of(Canary c, PathMatch path) {
    List<Split> out = new ArrayList<>(4);
    if (c.header() != null) {
      if (c.headerValue() != null) {
        out.add(header(c.header(), HeaderMatch.Type.EXACT, c.headerValue(), path, true));
      } else if (c.headerPattern() != null) {
        out.add(header(c.header(), HeaderMatch.Type.REGEX, c.headerPattern(), path, true));
      } else {
        out.add(header(c.header(), HeaderMatch.Type.EXACT, "always", path, true));
        out.add(header(c.header(), HeaderMatch.Type.EXACT, "never", path, false));
      }
    }
    if (c.cookie() != null) {
      out.add(cookie(c.cookie(), "always", path, true));
      out.add(cookie(c.cookie(), "never", path, false));
    }
    return out;
  }

  private static Split header(String name, HeaderMatch.Type type, String value, PathMatch path,
      boolean toCanary) {
    String label = type == HeaderMatch.Type.REGEX
        ? "[" + name + " ~ pattern]" : "[" + name + ": " + value + "]";
    return new Split(label, new RouteMatch(path, List.of(new HeaderMatch(name, type, value)),
        List.of()), toCanary);
  }

  private static Split cookie(String name, String value, PathMatch path, boolean toCanary) {
    return new Split("[cookie " + name + "=" + value + "]", new RouteMatch(path, List.of(),
        List.of(), List.of(new CookieMatch(name, value))), toCanary);
  }
}
