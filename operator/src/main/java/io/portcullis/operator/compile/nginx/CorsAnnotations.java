package io.portcullis.operator.compile.nginx;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** enable-cors and cors-*, with ingress-nginx's defaults, onto {@code portcullis.io/cors-*}. */
final class CorsAnnotations {
  static final String DEFAULT_METHODS = "GET, PUT, POST, DELETE, PATCH, OPTIONS";
  static final String DEFAULT_HEADERS = "DNT,Keep-Alive,User-Agent,X-Requested-With,"
      + "If-Modified-Since,Cache-Control,Content-Type,Range,Authorization";
  static final String DEFAULT_MAX_AGE = "1728000";

  /** The origin shapes the CORS filter takes: scheme://host[:port], a leading {@code *.} allowed. */
  private static final Pattern HTTP_ORIGIN = Pattern.compile(
      "https?://(\\*\\.)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]{1,5})?", Pattern.CASE_INSENSITIVE);

  private CorsAnnotations() {}

  static void read(Reading r) {
    String enable = r.take("enable-cors");
    String origin = r.take("cors-allow-origin");
    String methods = r.take("cors-allow-methods");
    String headers = r.take("cors-allow-headers");
    String expose = r.take("cors-expose-headers");
    String credentials = r.take("cors-allow-credentials");
    String maxAge = r.take("cors-max-age");
    if (enable == null) {
      return;
    }
    try {
      if (!Reading.bool(enable)) {
        return;
      }
    } catch (IllegalArgumentException e) {
      r.invalid("enable-cors", enable, e.getMessage());
      return;
    }
    String origins = origins(r, origin);
    if (origins.isEmpty()) {
      return;
    }
    boolean allowCredentials = true;
    if (credentials != null) {
      try {
        allowCredentials = Reading.bool(credentials);
      } catch (IllegalArgumentException e) {
        r.invalid("cors-allow-credentials", credentials, e.getMessage() + "; true applies");
      }
    }
    if (origins.equals("*")) {
      allowCredentials = false; // what browsers do with "*" and credentials anyway
    }
    r.ours("portcullis.io/cors-allow-origins", origins);
    r.ours("portcullis.io/cors-allow-methods",
        list(methods == null ? DEFAULT_METHODS : methods).toUpperCase(java.util.Locale.ROOT));
    r.ours("portcullis.io/cors-allow-headers", list(headers == null ? DEFAULT_HEADERS : headers));
    if (expose != null && !expose.isBlank()) {
      r.ours("portcullis.io/cors-expose-headers", list(expose));
    }
    r.ours("portcullis.io/cors-allow-credentials", Boolean.toString(allowCredentials));
    String age = maxAge == null ? DEFAULT_MAX_AGE : maxAge;
    try {
      r.ours("portcullis.io/cors-max-age", Reading.seconds(age) / 1000 + "s");
    } catch (IllegalArgumentException e) {
      r.invalid("cors-max-age", age, e.getMessage());
    }
  }

  /**
   * The origins we can serve, comma-separated: ingress-nginx also takes other schemes ({@code
   * app://localhost}); ours are http and https, so each other one is left out with an Event, and
   * when none is left there is no CORS at all (rather than every origin).
   */
  private static String origins(Reading r, String written) {
    if (written == null || written.isBlank()) {
      return "*";
    }
    List<String> kept = new ArrayList<>();
    for (String o : list(written).split(",")) {
      if (o.isEmpty()) {
        continue;
      }
      if (o.equals("*") || HTTP_ORIGIN.matcher(o).matches()) {
        kept.add(o);
      } else {
        r.invalid("cors-allow-origin", o, "only *, http and https origins are supported; left out");
      }
    }
    return String.join(",", kept);
  }

  private static String list(String commaSeparated) {
    return Arrays.stream(commaSeparated.split(",")).map(String::trim).filter(s -> !s.isEmpty())
        .collect(Collectors.joining(","));
  }
}
