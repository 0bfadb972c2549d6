package io.portcullis.dataplane.filters.cache;

import io.portcullis.dataplane.http.RequestHead;
import java.net.URI;
import java.util.Locale;

/**
 * Primary cache keys (RFC 9111 §2): {@code GET scheme://authority/path?query}, the scheme and host
 * in lower case and a default port dropped. Only GET responses are stored (HEAD is answered from
 * them), so the method is always GET; it stays in the key so that purges name it like the RFC
 * does. The route's extra key headers select among variants of a key, like Vary does, so an
 * invalidation or purge of a URL drops them all.
 */
final class CacheKeys {
  private CacheKeys() {}

  static String of(RequestHead head) {
    String scheme = head.scheme() == null ? "http" : head.scheme().toLowerCase(Locale.ROOT);
    return key(scheme, head.host(), head.path(), head.query());
  }

  static String key(String scheme, String host, String path, String query) {
    StringBuilder k = new StringBuilder(64).append("GET ").append(scheme).append("://");
    k.append(authority(scheme, host));
    k.append(path == null || path.isEmpty() ? "/" : path);
    if (query != null) {
      k.append('?').append(query);
    }
    return k.toString();
  }

  /**
   * The key of {@code reference} (a Location or Content-Location value, maybe relative) if it is
   * on the same origin as the request, else null (§4.4: never invalidate another origin).
   */
  static String sameOrigin(RequestHead head, String reference) {
    try {
      String scheme = head.scheme() == null ? "http" : head.scheme().toLowerCase(Locale.ROOT);
      String base = scheme + "://" + authority(scheme, head.host()) + head.path();
      URI uri = URI.create(base).resolve(reference.trim());
      String uriScheme = uri.getScheme() == null ? scheme : uri.getScheme().toLowerCase(Locale.ROOT);
      String uriAuthority = authority(uriScheme, uri.getRawAuthority());
      if (!uriScheme.equals(scheme) || !uriAuthority.equals(authority(scheme, head.host()))) {
        return null;
      }
      return key(uriScheme, uri.getRawAuthority(), uri.getRawPath(), uri.getRawQuery());
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static String authority(String scheme, String host) {
    String h = host == null ? "" : host.toLowerCase(Locale.ROOT);
    if (scheme.equals("http") && h.endsWith(":80")) {
      h = h.substring(0, h.length() - 3);
    } else if (scheme.equals("https") && h.endsWith(":443")) {
      h = h.substring(0, h.length() - 4);
    }
    return h;
  }
}
