package io.portcullis.operator.compile.nginx;

import java.util.Locale;

/** canary, canary-weight(-total), canary-by-header(-value|-pattern), canary-by-cookie. */
final class CanaryAnnotations {
  private CanaryAnnotations() {}

  /** The canary the annotations make of this Ingress, or null when it is not one. */
  static Canary read(Reading r) {
    String canary = r.take("canary");
    String weight = r.take("canary-weight");
    String total = r.take("canary-weight-total");
    String header = r.take("canary-by-header");
    String headerValue = r.take("canary-by-header-value");
    String headerPattern = r.take("canary-by-header-pattern");
    String cookie = r.take("canary-by-cookie");
    if (canary == null) {
      return null;
    }
    try {
      if (!Reading.bool(canary)) {
        return null;
      }
    } catch (IllegalArgumentException e) {
      r.invalid("canary", canary, e.getMessage() + "; the Ingress is not a canary");
      return null;
    }
    int weightTotal = 100;
    if (total != null) {
      try {
        weightTotal = Reading.integer(total, 1, 1_000_000);
      } catch (IllegalArgumentException e) {
        r.invalid("canary-weight-total", total, e.getMessage() + "; 100 applies");
      }
    }
    int w = 0;
    if (weight != null) {
      try {
        w = Reading.integer(weight, 0, weightTotal);
      } catch (IllegalArgumentException e) {
        r.invalid("canary-weight", weight, e.getMessage() + "; 0 applies");
      }
    }
    String name = null;
    if (header != null) {
      if (header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")) {
        name = header.toLowerCase(Locale.ROOT);
      } else {
        r.invalid("canary-by-header", header, "not a header name");
      }
    }
    String value = null;
    if (headerValue != null && name != null) {
      value = headerValue;
    }
    String pattern = null;
    if (headerPattern != null && name != null && value == null) {
      // ingress-nginx searches the value (ngx.re.match, unanchored); our regex matches it whole.
      String wrapped = ".*(?:" + headerPattern + ").*";
      String problem = re2Problem(headerPattern);
      if (problem == null) {
        pattern = wrapped;
      } else {
        r.invalid("canary-by-header-pattern", headerPattern, problem
            + "; the header takes no request to the canary, the cookie and weight still apply");
      }
    }
    String cookieName = null;
    if (cookie != null) {
      if (cookie.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")) {
        cookieName = cookie;
      } else {
        r.invalid("canary-by-cookie", cookie, "not a cookie name");
      }
    }
    return new Canary(w, weightTotal, name, value, pattern, cookieName);
  }

  /**
   * Why RE2 cannot take {@code pattern} (ingress-nginx's PCRE has backreferences and lookaround,
   * which cannot run in linear time), or null.
   */
  private static String re2Problem(String pattern) {
    if (pattern.isEmpty() || pattern.length() > 1024) {
      return "a pattern must have 1 to 1024 characters";
    }
    try {
      com.google.re2j.Pattern.compile(pattern);
      return null;
    } catch (com.google.re2j.PatternSyntaxException e) {
      return "not an RE2 regular expression (" + e.getDescription() + ")";
    }
  }
}
