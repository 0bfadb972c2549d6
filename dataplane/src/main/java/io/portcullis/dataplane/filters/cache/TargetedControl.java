package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Which cache-control field a response's caching follows here (RFC 9213): {@code
 * Portcullis-Cache-Control} when present, else {@code CDN-Cache-Control}, else {@code
 * Cache-Control}. A targeted field, when present and non-empty, replaces {@code Cache-Control}
 * entirely for this cache (and {@code Expires} with it, as RFC 9213 §2.1 says).
 */
final class TargetedControl {
  static final String PORTCULLIS = "portcullis-cache-control";
  static final String CDN = "cdn-cache-control";

  private TargetedControl() {}

  /** Directives whose value must be an Integer in a targeted field. */
  private static final Set<String> INTEGER_DIRECTIVES =
      Set.of("max-age", "s-maxage", "stale-while-revalidate", "stale-if-error");
  private static final Pattern KEY = Pattern.compile("[a-z*][a-z0-9_.*-]*");
  private static final Pattern BARE_ITEM = Pattern.compile(
      "-?[0-9]{1,15}(\\.[0-9]{1,3})?|\"([^\"\\\\]|\\\\[\"\\\\])*\"|[A-Za-z*][!#$%&'*+.^_`|~0-9A-Za-z:/-]*"
          + "|:[A-Za-z0-9+/=]*:|\\?[01]");

  static CacheControl of(HttpHeaders headers) {
    CacheControl own = targetedField(headers.getAll(PORTCULLIS));
    if (!own.isEmpty()) {
      return own;
    }
    CacheControl cdn = targetedField(headers.getAll(CDN));
    if (!cdn.isEmpty()) {
      return cdn;
    }
    return CacheControl.parse(headers.getAll("cache-control"));
  }

  /** True when a targeted field governs (then {@code Expires} is ignored). */
  static boolean targeted(HttpHeaders headers) {
    return !targetedField(headers.getAll(PORTCULLIS)).isEmpty()
        || !targetedField(headers.getAll(CDN)).isEmpty();
  }

  /**
   * A targeted field is a Structured Field Dictionary (RFC 8941); one that does not parse as
   * one, or gives a freshness directive a non-Integer value, is ignored whole (RFC 9213 §2.1).
   */
  static CacheControl targetedField(List<String> values) {
    if (values.isEmpty()) {
      return CacheControl.EMPTY;
    }
    for (String value : values) {
      for (String member : CacheControl.splitList(value)) {
        String item = member.split(";", 2)[0].trim();
        int eq = item.indexOf('=');
        String key = eq < 0 ? item : item.substring(0, eq);
        if (!KEY.matcher(key).matches()) {
          return CacheControl.EMPTY;
        }
        if (eq >= 0) {
          String v = item.substring(eq + 1);
          if (!BARE_ITEM.matcher(v).matches()
              || (INTEGER_DIRECTIVES.contains(key) && !v.matches("-?[0-9]{1,15}"))) {
            return CacheControl.EMPTY;
          }
        }
      }
    }
    return CacheControl.parse(values);
  }
}
