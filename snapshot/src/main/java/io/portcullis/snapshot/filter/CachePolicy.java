package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The shared HTTP cache (RFC 9111) on a virtual host or route. Storage is the dataplane's (one
 * byte-weighted store per dataplane, sized by {@code --cache-size}); this says what may use it.
 *
 * @param maxObjectSize the largest response body stored, in bytes; larger responses are relayed
 *     and not stored. 0 means the default, {@value #DEFAULT_MAX_OBJECT_SIZE} bytes
 * @param keyHeaders request headers whose values become part of the cache key (beside method,
 *     scheme, authority, path and query), lower case, sorted, no duplicates
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record CachePolicy(long maxObjectSize, List<String> keyHeaders) implements FilterConfig {
  public static final String KIND = "cache";
  public static final long DEFAULT_MAX_OBJECT_SIZE = 8L << 20;
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]+");

  public CachePolicy {
    if (maxObjectSize < 0) {
      throw new IllegalArgumentException("cache maxObjectSize must not be negative");
    }
    keyHeaders = keyHeaders == null
        ? List.of()
        : keyHeaders.stream()
            .map(h -> h.trim().toLowerCase(Locale.ROOT))
            .filter(h -> !h.isEmpty())
            .distinct()
            .sorted()
            .toList();
    for (String h : keyHeaders) {
      if (!TOKEN.matcher(h).matches()) {
        throw new IllegalArgumentException("cache keyHeaders entry is not a header name: " + h);
      }
    }
  }

  /** The defaults: every cacheable response up to the default object size, the plain key. */
  public static CachePolicy defaults() {
    return new CachePolicy(0, List.of());
  }

  /** The object size limit in effect. */
  public long effectiveMaxObjectSize() {
    return maxObjectSize == 0 ? DEFAULT_MAX_OBJECT_SIZE : maxObjectSize;
  }

  @Override
  public String kind() {
    return KIND;
  }
}
