package io.portcullis.operator.compile.nginx;

import java.util.Locale;

/** canary, canary-weight(-total), canary-by-header(-value). */
final class CanaryAnnotations {
  private CanaryAnnotations() {}

  /** The canary the annotations make of this Ingress, or null when it is not one. */
  static Canary read(Reading r) {
    String canary = r.take("canary");
    String weight = r.take("canary-weight");
    String total = r.take("canary-weight-total");
    String header = r.take("canary-by-header");
    String headerValue = r.take("canary-by-header-value");
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
    return new Canary(w, weightTotal, name, value);
  }
}
