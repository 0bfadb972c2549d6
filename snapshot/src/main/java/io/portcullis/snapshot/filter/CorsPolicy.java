package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Cross-origin resource sharing (the Fetch standard's CORS protocol), answered by the proxy.
 *
 * @param allowOrigins origins allowed to read responses: exact ({@code https://app.example.com}),
 *     a wildcard subdomain ({@code https://*.example.com}: one or more labels before
 *     {@code example.com}, that scheme, any or no port only when written), or {@code *} for any
 *     origin (not allowed together with credentials). Lower case, sorted, no duplicates.
 * @param allowMethods methods a preflight may ask for; empty means {@code GET, HEAD, POST}
 * @param allowHeaders request headers a preflight may ask for, lower case; {@code *} allows any
 * @param exposeHeaders response headers scripts may read, lower case
 * @param allowCredentials whether cookies and credentials may be sent (then {@code *} is not an
 *     allowed origin)
 * @param maxAgeSeconds how long a browser may cache a preflight answer; 0 sends no max-age
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record CorsPolicy(
    List<String> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    boolean allowCredentials,
    long maxAgeSeconds)
    implements FilterConfig {
  public static final String KIND = "cors";
  private static final Pattern ORIGIN =
      Pattern.compile("https?://(\\*\\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?");
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  public CorsPolicy {
    allowOrigins = canonical(allowOrigins, true);
    allowMethods = tokens(allowMethods, false, "method");
    allowHeaders = tokens(allowHeaders, true, "header");
    exposeHeaders = tokens(exposeHeaders, true, "header");
    if (allowOrigins.isEmpty()) {
      throw new IllegalArgumentException("cors needs at least one allowed origin");
    }
    for (String origin : allowOrigins) {
      if (!origin.equals("*") && !ORIGIN.matcher(origin).matches()) {
        throw new IllegalArgumentException(
            "cors origin must be *, scheme://host[:port] or scheme://*.domain[:port]: " + origin);
      }
    }
    if (allowCredentials && allowOrigins.contains("*")) {
      throw new IllegalArgumentException("cors: origin * cannot be combined with credentials");
    }
    if (maxAgeSeconds < 0) {
      throw new IllegalArgumentException("cors max age must not be negative");
    }
  }

  @Override
  public String kind() {
    return KIND;
  }

  private static List<String> canonical(List<String> values, boolean lowerCase) {
    if (values == null) {
      return List.of();
    }
    return values.stream()
        .map(String::trim)
        .filter(v -> !v.isEmpty())
        .map(v -> lowerCase ? v.toLowerCase(Locale.ROOT) : v)
        .distinct()
        .sorted()
        .toList();
  }

  private static List<String> tokens(List<String> values, boolean lowerCase, String what) {
    List<String> out = canonical(values, lowerCase);
    for (String v : out) {
      if (!v.equals("*") && !TOKEN.matcher(v).matches()) {
        throw new IllegalArgumentException("cors " + what + " is not a valid token: " + v);
      }
    }
    return out;
  }
}
