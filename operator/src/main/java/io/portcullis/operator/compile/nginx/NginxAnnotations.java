package io.portcullis.operator.compile.nginx;

import static io.portcullis.operator.compile.nginx.Support.PARTLY;
import static io.portcullis.operator.compile.nginx.Support.REFUSED;
import static io.portcullis.operator.compile.nginx.Support.SUPPORTED;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The registry: every {@code nginx.ingress.kubernetes.io/*} annotation we know, with how it is
 * honoured. The README's migration table is checked against it by a test, so the two cannot
 * drift. An annotation not listed here is refused as unknown; every snippet is refused, listed or
 * not (snippets paste raw nginx configuration: the root of IngressNightmare).
 */
public final class NginxAnnotations {
  public static final String PREFIX = "nginx.ingress.kubernetes.io/";

  private static final String SNIPPET =
      "snippets paste raw nginx configuration (IngressNightmare); never honoured";

  private static final List<NginxAnnotation> ALL = List.of(
      // Paths and rewrites
      a("rewrite-target", PARTLY, "as in ingress-nginx, the target replaces the whole path"
          + " (query kept) after `$1`..`$9` take the regex path's capture groups, any shape; `$n`"
          + " on a Prefix or Exact path is refused (no groups); a Prefix path with a target"
          + " matches by path elements, case-sensitive (ingress-nginx: any path starting with the"
          + " text, any case)"),
      a("use-regex", PARTLY, "ImplementationSpecific paths are RE2 expressions read as"
          + " ingress-nginx reads them: case-insensitive, anchored at the start only"
          + " (ingress-nginx: PCRE, and on every Ingress of the host)"),
      a("app-root", PARTLY, "`/` answers 302 to the given path on the same scheme and host (the"
          + " query string is kept, ingress-nginx drops it)"),
      a("x-forwarded-prefix", SUPPORTED, "sets `X-Forwarded-Prefix` on requests to the backend"),
      a("upstream-vhost", SUPPORTED, "sets the `Host` header sent to the backend"),
      a("server-alias", PARTLY, "the Ingress's own rules are served for each alias host too"
          + " (ingress-nginx: every rule of the host); wildcard aliases as for hosts, regex"
          + " aliases refused"),
      // Redirects
      a("ssl-redirect", SUPPORTED, "`false` serves plain HTTP for hosts with TLS (default: 308 to"
          + " https)"),
      a("force-ssl-redirect", SUPPORTED, "308 to https, also for rule hosts spec.tls does not name"
          + " (the default certificate serves them over https); behind a load balancer that"
          + " terminates TLS, the X-Forwarded-Proto of a --trusted-proxies peer is the scheme"
          + " (ingress-nginx's use-forwarded-headers); a client's is not believed"),
      a("permanent-redirect", PARTLY, "every path answers a redirect to the URL (the query"
          + " string is kept, ingress-nginx drops it)"),
      a("permanent-redirect-code", SUPPORTED, "301 (default), 302, 303, 307 or 308"),
      a("temporal-redirect", PARTLY, "every path answers 302 to the URL (the query string is"
          + " kept); wins over permanent-redirect, as in ingress-nginx"),
      a("temporal-redirect-code", SUPPORTED, "302 (default), 301, 303 or 307 (308 gives 302, as"
          + " in ingress-nginx)"),
      // Upstream
      a("backend-protocol", PARTLY, "HTTP, HTTPS, GRPC (h2c), GRPCS (h2 over TLS), H2C;"
          + " HTTPS and GRPCS accept any certificate, as ingress-nginx's default proxy-ssl-verify"
          + " off does; AUTO_HTTP and FCGI refused"),
      a("proxy-connect-timeout", PARTLY, "seconds, the TCP connect timeout; when it expires the"
          + " client gets 502 (ingress-nginx: 504)"),
      a("proxy-read-timeout", PARTLY, "seconds; with proxy-send-timeout one idle timeout, the"
          + " larger of the two"),
      a("proxy-send-timeout", PARTLY, "seconds; with proxy-read-timeout one idle timeout, the"
          + " larger of the two"),
      a("proxy-next-upstream", PARTLY, "error, timeout, http_502/503/504, non_idempotent, off;"
          + " http_500/403/404/429 and invalid_header are not retried on"),
      a("proxy-next-upstream-tries", SUPPORTED, "tries in all (default 3), up to 11"),
      a("proxy-next-upstream-timeout", PARTLY, "bounds each try (a per-try timeout) instead of"
          + " all tries together"),
      a("proxy-body-size", PARTLY, "the route's request body limit (nginx units k, m, g; 0 ="
          + " unlimited): a larger declared Content-Length gets 413 before the backend sees the"
          + " request, a chunked or HTTP/2 body 413 when it crosses the limit (a reset once the"
          + " response started); without it the dataplane's limit applies (4 GiB declared, which"
          + " also caps larger values; ingress-nginx's default is 1m)"),
      a("load-balance", PARTLY, "round_robin; ewma and least_conn become least-request"),
      a("upstream-hash-by", PARTLY, "`$remote_addr`, `$http_NAME`, `$cookie_NAME`, `$arg_NAME`"
          + " onto Maglev consistent hashing; other variables and combinations refused"),
      a("affinity", SUPPORTED, "`cookie`: the proxy issues a cookie naming the endpoint, one per"
          + " Ingress path (its Path, as in ingress-nginx; `/` for regex paths, where ingress-nginx"
          + " asks for session-cookie-path)"),
      a("affinity-mode", PARTLY, "always persistent: an endpoint keeps its clients when"
          + " endpoints are added"),
      a("session-cookie-name", SUPPORTED, "default INGRESSCOOKIE"),
      a("session-cookie-path", SUPPORTED, "the cookie's Path (default: the Ingress path)"),
      a("session-cookie-max-age", SUPPORTED, "seconds, the cookie's Max-Age"),
      a("session-cookie-expires", PARTLY, "seconds, sent as Max-Age"),
      a("session-cookie-samesite", SUPPORTED, "None, Lax or Strict: the cookie's SameSite"),
      a("session-cookie-secure", SUPPORTED, "`true` marks the cookie Secure on plain HTTP too;"
          + " it is Secure on https requests in any case, as in ingress-nginx"),
      // Canary
      a("canary", SUPPORTED, "`true`: this Ingress's paths become a split of the other"
          + " Ingress with the same host and path"),
      a("canary-weight", SUPPORTED, "percent of requests (of canary-weight-total)"),
      a("canary-weight-total", SUPPORTED, "default 100"),
      a("canary-by-header", SUPPORTED, "`always` takes the canary, `never` never does, other"
          + " values fall through to the weight"),
      a("canary-by-header-value", SUPPORTED, "this value of canary-by-header takes the canary"),
      a("canary-by-header-pattern", PARTLY, "an RE2 regular expression searched in the header's"
          + " value (ingress-nginx: PCRE); a pattern RE2 cannot run (backreferences, lookaround) is"
          + " reported and matches nothing; ignored when canary-by-header-value is set"),
      a("canary-by-cookie", PARTLY, "cookie value `always` takes the canary, `never` never"
          + " does, other values fall through to the weight; checked after canary-by-header; the"
          + " cookie name is compared with case, as RFC 6265 says (nginx ignores case)"),
      // CORS
      a("enable-cors", SUPPORTED, "ingress-nginx's defaults for the cors-* settings below"),
      a("cors-allow-origin", PARTLY, "comma-separated origins or `*`; with `*` credentials are"
          + " not allowed (browsers refuse them anyway); `*.` in an origin stands for one or more"
          + " labels (ingress-nginx: one); origins of other schemes than http and https are left"
          + " out with an Event (ingress-nginx: any scheme)"),
      a("cors-allow-methods", SUPPORTED, "default GET, PUT, POST, DELETE, PATCH, OPTIONS"),
      a("cors-allow-headers", SUPPORTED, "default DNT, Keep-Alive, User-Agent, X-Requested-With,"
          + " If-Modified-Since, Cache-Control, Content-Type, Range, Authorization"),
      a("cors-expose-headers", SUPPORTED, "default none"),
      a("cors-allow-credentials", SUPPORTED, "default true"),
      a("cors-max-age", SUPPORTED, "seconds, default 1728000"),
      // Authentication
      a("auth-type", PARTLY, "`basic` (bcrypt and SHA-256/512 crypt hashes; MD5 apr1 refused);"
          + " `digest` refused"),
      a("auth-secret", PARTLY, "a Secret in the Ingress's namespace (another namespace refused);"
          + " a missing Secret, or one without a usable user line, answers 503 with an Event"
          + " (ingress-nginx: 503 and 401)"),
      a("auth-secret-type", SUPPORTED, "`auth-file` (key `auth`, htpasswd) or `auth-map` (one"
          + " key per user)"),
      a("auth-realm", SUPPORTED, "the realm of the 401 challenge"),
      a("auth-url", PARTLY, "external authentication: a 2xx from the URL lets the request"
          + " through; the auth service is sent the Authorization and Cookie headers (ingress-nginx:"
          + " every request header)"),
      a("auth-response-headers", SUPPORTED, "copied from the auth response to the request"),
      a("auth-signin", PARTLY, "a 401 from auth-url becomes a 302 to this URL with the original"
          + " URL (`$scheme://$http_host` and the percent-encoded request URI) in the redirect"
          + " parameter, unless the URL has that parameter already; of nginx's variables"
          + " `$scheme`, `$host`, `$http_host`, `$request_uri`, `$escaped_request_uri`, `$uri`,"
          + " `$args`, `$request_method`, `$remote_addr`, `$remote_user`, `$http_*`, `$cookie_*`"
          + " and `$arg_*` are known (another: the annotation is ignored)"),
      a("auth-signin-redirect-param", SUPPORTED, "the redirect parameter's name, default `rd`"),
      a("auth-method", PARTLY, "the auth request's method; default GET, as nginx's"
          + " `auth_request`; a method ingress-nginx does not admit: GET (ingress-nginx: 503)"),
      a("auth-cache-key", PARTLY, "answers of auth-url are reused per key (the variables of"
          + " auth-signin; another: nothing is cached) and route, bounded to 16 MiB per route;"
          + " an answer with `Set-Cookie` or `Cache-Control: no-store/no-cache/private` is not"
          + " kept, and its `max-age` does not lengthen the time"),
      a("auth-always-set-cookie", SUPPORTED, "the Set-Cookie of the auth answer reaches the"
          + " client whatever the status (by default only with the statuses nginx's `add_header`"
          + " serves, and on the sign-in redirect, as ingress-nginx)"),
      a("auth-cache-duration", PARTLY, "`200 202 401 5m` by default (ingress-nginx's), statuses"
          + " then one time per group; only 2xx, 401 and 403 answers are reused (other statuses are"
          + " left out); at most 1h; a malformed value fails the location closed (503), as"
          + " ingress-nginx denies it"),
      // Edge security
      a("allowlist-source-range", SUPPORTED, "addresses and CIDRs allowed; every other client"
          + " gets 403 (an unreadable entry refuses every client: fail closed)"),
      a("whitelist-source-range", SUPPORTED, "the older name of allowlist-source-range (which"
          + " wins when both are given)"),
      a("denylist-source-range", SUPPORTED, "addresses and CIDRs refused with 403"),
      a("limit-rps", PARTLY, "a token bucket per client address refilled at the rate, holding"
          + " rate x multiplier + 1 (nginx's `limit_req ... burst nodelay` admits burst + 1 at"
          + " once); over it 503 (ingress-nginx's default limit-req-status-code) with"
          + " `Retry-After`; the"
          + " limit is shared by all dataplanes (ingress-nginx: each replica has all of it); with"
          + " limit-rpm, this one applies"),
      a("limit-rpm", PARTLY, "as limit-rps, per minute"),
      a("limit-burst-multiplier", SUPPORTED, "the burst is rate x this (default 5)"),
      a("limit-connections", SUPPORTED, "requests in progress per client address, one count over"
          + " all paths of the Ingress (nginx's limit_conn: each HTTP/2 stream counts); over it"
          + " 503, counted per dataplane"),
      a("enable-modsecurity", PARTLY, "onto our WAF in detect mode (ingress-nginx's default"
          + " `SecRuleEngine DetectionOnly`); `portcullis.io/waf: block` blocks"),
      a("enable-owasp-core-rules", PARTLY, "onto our WAF (the OWASP CRS rules) in detect mode"),
      a("ssl-passthrough", REFUSED, "needs layer-4 (TLS passthrough) routes"),
      a("custom-http-errors", PARTLY, "a listed status (400-599) from the backend, or the"
          + " proxy's own 502/503/504, is answered by the error backend (default-backend, else the"
          + " operator's `--default-backend`), asked as ingress-nginx asks it (GET `/` with X-Code,"
          + " X-Format, X-Original-URI, X-Namespace, X-Ingress-Name, X-Service-Name, X-Service-Port,"
          + " X-Request-ID), its status and page to the client; other methods are asked with GET"
          + " (ingress-nginx keeps the method), pages over 256 KiB and an unreachable error backend"
          + " answer 502"),
      a("default-backend", PARTLY, "the error backend of custom-http-errors (the Service's first"
          + " port); alone (serving requests while the Service has no ready endpoints) refused:"
          + " needs a fallback cluster in the snapshot"),
      // Snippets: never
      a("configuration-snippet", REFUSED, SNIPPET),
      a("server-snippet", REFUSED, SNIPPET),
      a("auth-snippet", REFUSED, SNIPPET),
      a("stream-snippet", REFUSED, SNIPPET),
      a("modsecurity-snippet", REFUSED, SNIPPET));

  private static final Map<String, NginxAnnotation> BY_NAME =
      ALL.stream().collect(Collectors.toUnmodifiableMap(NginxAnnotation::name, Function.identity()));

  private NginxAnnotations() {}

  /** Every annotation we know, by name. */
  public static List<NginxAnnotation> all() {
    return ALL.stream().sorted(Comparator.comparing(NginxAnnotation::name)).toList();
  }

  /** The entry for a name after the prefix. */
  public static Optional<NginxAnnotation> find(String name) {
    return Optional.ofNullable(BY_NAME.get(name));
  }

  /** Any {@code *-snippet} annotation, known to us or not. */
  public static boolean isSnippet(String name) {
    return name.endsWith("snippet");
  }

  private static NginxAnnotation a(String name, Support support, String how) {
    return new NginxAnnotation(name, support, how);
  }
}
