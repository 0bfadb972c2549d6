package io.portcullis.dataplane.filters.cors;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Matches a request's {@code Origin} against allowed origins: {@code *}, exact origins, and
 * wildcard subdomains ({@code https://*.example.com} matches {@code https://a.example.com} and
 * {@code https://a.b.example.com}, not {@code https://example.com}; the port must be the one
 * written, or absent when none is). Exact origins are a hash lookup; wildcards are few.
 */
final class OriginMatcher {
  private final boolean any;
  private final Set<String> exact = new HashSet<>();
  /** Per wildcard: the scheme with {@code ://}, and the suffix from the first dot on. */
  private final List<String[]> wildcards = new ArrayList<>();

  OriginMatcher(List<String> allowed) {
    boolean anyOrigin = false;
    for (String origin : allowed) {
      if (origin.equals("*")) {
        anyOrigin = true;
      } else if (origin.contains("://*.")) {
        int star = origin.indexOf("://*.");
        wildcards.add(new String[] {origin.substring(0, star + 3), origin.substring(star + 4)});
      } else {
        exact.add(origin);
      }
    }
    this.any = anyOrigin;
  }

  boolean allows(String origin) {
    if (any) {
      return true;
    }
    String o = origin.toLowerCase(Locale.ROOT);
    if (exact.contains(o)) {
      return true;
    }
    for (String[] w : wildcards) {
      String scheme = w[0];
      String suffix = w[1]; // ".example.com" or ".example.com:8443"
      if (o.startsWith(scheme) && o.endsWith(suffix)) {
        String label = o.substring(scheme.length(), o.length() - suffix.length());
        if (!label.isEmpty() && label.indexOf(':') < 0 && label.indexOf('/') < 0
            && !label.startsWith(".") && !label.endsWith(".")) {
          return true;
        }
      }
    }
    return false;
  }
}
