package io.portcullis.dataplane.filters.cache;

import io.netty.handler.codec.http.HttpHeaders;
import java.util.Set;

/**
 * Whether a shared cache may store a response (RFC 9111 §3, §3.5, §5.2.2), and why not.
 *
 * <p>Set-Cookie policy: a response that sets a cookie is relayed and not stored, whatever its
 * Cache-Control says, because one user's cookie must never be handed to another (RFC 9111 §7.3;
 * the same default as nginx and Varnish). An origin that wants such responses cached drops the
 * cookie on cacheable paths, or names it in {@code private="set-cookie"} or {@code
 * no-cache="set-cookie"} (then the response is stored without it).
 */
final class Storability {
  /** Statuses whose caching we understand (for {@code must-understand}, §5.2.2.3). */
  static final Set<Integer> UNDERSTOOD =
      Set.of(200, 203, 204, 300, 301, 302, 303, 307, 308, 404, 405, 410, 414, 500, 501, 502, 503,
          504);

  private Storability() {}

  /** Null when the response may be stored, else a short reason (for logs and tests). */
  static String refusal(
      String method, HttpHeaders request, CacheControl requestCc, int status,
      HttpHeaders response, CacheControl cc) {
    if (!"GET".equals(method)) {
      return "method";
    }
    if (status < 200 || status == 206 || status == 304) {
      return "status";
    }
    if (cc.has("must-understand")) {
      if (!UNDERSTOOD.contains(status)) {
        return "must-understand";
      }
    } else if (cc.has("no-store")) {
      return "no-store";
    }
    if (requestCc.has("no-store")) {
      return "request no-store";
    }
    if (cc.hasUnqualified("private")) {
      return "private";
    }
    if (request.contains("authorization")
        && !(cc.has("must-revalidate") || cc.has("public") || cc.has("s-maxage"))) {
      return "authorization";
    }
    if (Vary.names(response).contains("*")) {
      return "vary *";
    }
    if (response.contains("set-cookie") && !cc.fieldNames("private").contains("set-cookie")
        && !cc.fieldNames("no-cache").contains("set-cookie")) {
      return "set-cookie";
    }
    if (!(cc.has("public") || Freshness.explicit(response, cc)
        || Freshness.HEURISTIC_STATUSES.contains(status))) {
      return "no freshness information";
    }
    return null;
  }
}
