package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The desired routing of a ProxyRoute. Plain data bound by Jackson; validation that the API server
 * can do lives in the CRD schema (annotations here), the rest in the compiler, which rejects only
 * the offending route with a condition.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ProxyRouteSpec {
  /** What {@code kubectl explain proxyroute} says first. */
  static final String DESCRIPTION =
      "ProxyRoute routes HTTP requests for a set of hosts to Services, with what Ingress cannot say:"
          + " header and method matches, weighted backends, rewrites, redirects, direct responses,"
          + " load balancing, health checks, timeouts, retries and TLS options. Served by Portcullis"
          + " (portcullis.io). Reference: docs/proxyroute.md.";
  static final String SPEC_DESCRIPTION =
      "The hosts, their TLS, and the routes that decide what happens to each request.";
  static final String STATUS_DESCRIPTION =
      "What the operator made of the route, written by the leader operator: read the conditions"
          + " when a request does not go where you expect.";

  /** DNS name, or a wildcard of one leading label; IP literals are refused by the compiler. */
  static final String HOST_PATTERN =
      "^(\\*\\.)?[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
  /** A DNS name, no wildcard: where a redirect sends the client. */
  static final String DNS_NAME =
      "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$";
  /** An absolute request path: no whitespace, no query or fragment. */
  static final String PATH_PATTERN = "^/[^\\s?#]*$";
  /** A DNS label: route and Service names. */
  static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$";
  /** An HTTP header field name (RFC 9110 token). */
  static final String HEADER_NAME = "^[-!#$%&'*+.^_`|~0-9A-Za-z]+$";
  /** A duration as {@code io.portcullis.cli.Durations} reads it. */
  static final String DURATION = "^[0-9]{1,9}(ms|s|m|h)$";
  /** A byte size the Kubernetes way, as {@code io.portcullis.cli.ByteSizes} reads it. */
  static final String BYTE_SIZE = "^[0-9]{1,15}(Ki|Mi|Gi|k|M|G)?$";
  static final String MAX_REQUEST_BODY =
      "The largest request body accepted, such as 10Mi; 0 means unlimited. A larger declared"
          + " Content-Length gets 413 before the backend sees the request; a streamed body that"
          + " grows past it gets 413 (or a reset stream once the response started).";
  static final String CONCURRENT_PER_CLIENT =
      "Requests one client address may have in progress at once on each route (per dataplane);"
          + " more get 503.";
  /** An HTTP status or an inclusive range of them: {@code 404}, {@code 200-299}. */
  static final String STATUS_RANGE = "^[1-5][0-9][0-9](-[1-5][0-9][0-9])?$";

  @JsonPropertyDescription("The IngressClass whose controller serves this route. Empty: any Portcullis operator serves it.")
  public String ingressClassName;

  @JsonPropertyDescription("Host names this route answers, exact (shop.example.com) or a wildcard of one leading label (*.example.com). Matching ignores case and the port.")
  @Required
  @Size(min = 1, max = 64)
  @Pattern(HOST_PATTERN)
  public List<String> hosts = new ArrayList<>();

  @JsonPropertyDescription("Serve the hosts over HTTPS with a certificate from a Secret; plain HTTP then redirects to https unless redirectHttp is false.")
  public Tls tls;

  // Request-path filters for every route of this object; a route's own setting of a kind replaces
  // the one here.
  @JsonPropertyDescription("CORS for every route of the hosts, answered by the proxy; a route's own cors replaces it.")
  public FilterSpec.Cors cors;
  @JsonPropertyDescription("Error pages from an error backend for every route; a route's own errorPages replaces it.")
  public ErrorPagesSpec errorPages;
  @JsonPropertyDescription("The shared HTTP cache for every route; a route's own cache replaces it.")
  public CacheSpec cache;
  @JsonPropertyDescription("Response compression for every route; a route's own compression replaces it.")
  public FilterSpec.Compression compression;
  @JsonPropertyDescription("The web application firewall for every route; a route's own waf replaces it.")
  public FilterSpec.Waf waf;
  @JsonPropertyDescription("A request-rate limit per client for every route (a budget per route); a route's own rateLimit replaces it.")
  public RateLimitSpec rateLimit;
  @JsonPropertyDescription(FilterSpec.IP_ALLOW + " A route's own ipAllow or ipDeny replaces both spec lists.")
  @Size(max = FilterSpec.MAX_IP_ENTRIES)
  public List<String> ipAllow;
  @JsonPropertyDescription(FilterSpec.IP_DENY + " A route's own ipAllow or ipDeny replaces both spec lists.")
  @Size(max = FilterSpec.MAX_IP_ENTRIES)
  public List<String> ipDeny;
  @JsonPropertyDescription(MAX_REQUEST_BODY + " A route's own maxRequestBody replaces it.")
  @Pattern(BYTE_SIZE)
  public String maxRequestBody;
  @JsonPropertyDescription(CONCURRENT_PER_CLIENT + " A route's own value replaces it.")
  @Min(1)
  @Max(1_000_000)
  public Integer concurrentRequestsPerClient;

  @JsonPropertyDescription("What to do with requests to the hosts. Order does not matter: the longest path wins, and on equal length exact beats prefix.")
  @Required
  @Size(min = 1, max = 256)
  public List<RouteSpec> routes = new ArrayList<>();

  @JsonPropertyDescription("Authentication of every route; a route's own auth replaces it.")
  public AuthSpec auth;

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Tls {
    @JsonPropertyDescription("A kubernetes.io/tls Secret in the ProxyRoute's namespace (tls.crt, tls.key). If it is unusable the hosts fall back to the default certificate and ResolvedRefs says why.")
    @Required
    @Size(min = 1, max = 253)
    @Pattern(DNS_NAME)
    public String secretName;

    @JsonPropertyDescription("Answer plain-HTTP requests for these hosts with a 308 to the same URL over https. Default true.")
    public Boolean redirectHttp;

    @JsonPropertyDescription("Send Strict-Transport-Security on HTTPS responses. Default: none.")
    public Hsts hsts;

    @JsonPropertyDescription("Ask clients for a certificate (downstream mutual TLS), verified against a CA bundle. Default: none.")
    public ClientCertificate clientCertificate;
  }

  /**
   * Client certificate validation for the hosts. When the CA Secret is unusable the hosts are not
   * served at all (fail closed), since serving them without the validation asked for would open
   * them to anyone.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ClientCertificate {
    @JsonPropertyDescription("A Secret in the ProxyRoute's namespace whose key ca.crt holds the PEM CA bundle. If it is missing or unusable the hosts serve nothing (fail closed).")
    @Required
    @Pattern(DNS_NAME)
    @Size(min = 1, max = 253)
    public String caSecret;

    @JsonPropertyDescription("Also serve clients that send no certificate (an invalid one is still refused). Default false.")
    public Boolean optional;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Hsts {
    @JsonPropertyDescription("max-age in seconds, 0 to 315360000 (ten years); 0 tells browsers to forget the host.")
    @Required
    @Min(0)
    @Max(315_360_000)
    public Long maxAge;

    @JsonPropertyDescription("Also cover every subdomain. Default false.")
    public Boolean includeSubDomains;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RouteSpec {
    @JsonPropertyDescription("A name for the route (a DNS label), shown in metrics, logs and conditions. Default: its index in routes.")
    @Pattern(DNS_LABEL)
    public String name;

    @JsonPropertyDescription("Which requests the route takes. Default: every path (prefix /).")
    public Match match;
    @JsonPropertyDescription("The Services to forward to, split by weight. Exactly one of backends, redirect or directResponse.")
    @Size(min = 1, max = 64)
    public List<Backend> backends;

    @JsonPropertyDescription("Timeouts for requests of this route. Default: connect 5s, response head 60s, idle 60s.")
    public PolicySpec.Timeouts timeouts;
    @JsonPropertyDescription("When and how often to retry a failed request. Default: one retry after a failed connect.")
    public PolicySpec.Retries retries;
    @JsonPropertyDescription("Copy a share of the requests to another Service; its answers are discarded.")
    public PolicySpec.Mirror mirror;

    // Cluster settings for every backend of the route; a backend's own value replaces them.
    @JsonPropertyDescription("How requests are spread over the endpoints of every backend. Default: round robin. A backend's own value replaces it.")
    public PolicySpec.LoadBalancer loadBalancer;
    @JsonPropertyDescription("New endpoints ramp up from a tenth of a share to a full share over this long, such as 30s. Default: off. A backend's own value replaces it.")
    @Pattern(DURATION)
    public String slowStart;
    @JsonPropertyDescription("Active HTTP checks of every endpoint of every backend. Default: none. A backend's own value replaces it.")
    public PolicySpec.HealthCheck healthCheck;
    @JsonPropertyDescription("Eject endpoints that keep failing real requests. Default: 5 gateway failures in a row eject for 30s. A backend's own value replaces it.")
    public PolicySpec.OutlierDetection outlierDetection;
    @JsonPropertyDescription("Per-dataplane limits per backend; over a limit a request gets an immediate 503. A backend's own value replaces it.")
    public PolicySpec.CircuitBreakers circuitBreakers;

    @JsonPropertyDescription("Headers set on or removed from the request before it is forwarded.")
    public HeaderChanges requestHeaders;
    @JsonPropertyDescription("Headers set on or removed from the response before it is returned.")
    public HeaderChanges responseHeaders;
    @JsonPropertyDescription("Rewrite the path before forwarding.")
    public Rewrite rewrite;
    @JsonPropertyDescription("Answer with a redirect instead of forwarding. Exactly one of backends, redirect or directResponse.")
    public ActionSpec.Redirect redirect;
    @JsonPropertyDescription("Answer with a fixed status and body instead of forwarding. Exactly one of backends, redirect or directResponse.")
    public ActionSpec.DirectResponse directResponse;
    @JsonPropertyDescription("Serve files from a ConfigMap or a mounted directory; exclusive with the other actions.")
    @com.fasterxml.jackson.annotation.JsonProperty("static")
    public ActionSpec.StaticContent staticContent;

    // Request-path filters of this route, each replacing the spec-level setting of its kind.
    @JsonPropertyDescription("CORS for this route; replaces the spec-level cors.")
    public FilterSpec.Cors cors;
    @JsonPropertyDescription("Error pages from an error backend for this route; replaces the spec-level errorPages.")
    public ErrorPagesSpec errorPages;
    @JsonPropertyDescription("Authentication of this route, replacing spec.auth.")
    public AuthSpec auth;
    @JsonPropertyDescription("The shared HTTP cache for this route; replaces the spec-level cache.")
    public CacheSpec cache;
    @JsonPropertyDescription("Response compression for this route; replaces the spec's.")
    public FilterSpec.Compression compression;
    @JsonPropertyDescription("The web application firewall for this route; replaces the spec-level waf.")
    public FilterSpec.Waf waf;
    @JsonPropertyDescription("A request-rate limit per client for this route; replaces the spec-level rateLimit.")
    public RateLimitSpec rateLimit;
    @JsonPropertyDescription(FilterSpec.IP_ALLOW + " With ipDeny, replaces both spec lists; [] switches them off here.")
    @Size(max = FilterSpec.MAX_IP_ENTRIES)
    public List<String> ipAllow;
    @JsonPropertyDescription(FilterSpec.IP_DENY + " With ipAllow, replaces both spec lists.")
    @Size(max = FilterSpec.MAX_IP_ENTRIES)
    public List<String> ipDeny;
    @JsonPropertyDescription(MAX_REQUEST_BODY + " Replaces the spec-level maxRequestBody.")
    @Pattern(BYTE_SIZE)
    public String maxRequestBody;
    @JsonPropertyDescription(CONCURRENT_PER_CLIENT + " Replaces the spec-level value.")
    @Min(1)
    @Max(1_000_000)
    public Integer concurrentRequestsPerClient;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Match {
    @JsonPropertyDescription("The path to match: exactly one of exact, prefix or regex. Default: prefix /.")
    public PathMatch path;
    @JsonPropertyDescription("Headers that must all match.")
    public List<HeaderMatch> headers;
    @JsonPropertyDescription("Cookies that must all be present with these values.")
    @Size(max = 16)
    public List<CookieMatch> cookies;
    @JsonPropertyDescription("HTTP methods, any of which matches. Default: all.")
    @SchemaFrom(type = Method[].class)
    public List<String> methods;
  }

  /** Exactly one of exact, prefix or regex. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PathMatch {
    @JsonPropertyDescription("The whole path, such as /login.")
    @Pattern(PATH_PATTERN)
    @Size(max = 1024)
    public String exact;

    @JsonPropertyDescription("Whole /-separated path elements: /api matches /api, /api/ and /api/users, not /apis. A trailing slash is ignored.")
    @Pattern(PATH_PATTERN)
    @Size(max = 1024)
    public String prefix;

    @JsonPropertyDescription("An RE2 regular expression matched against the whole path, such as /users/[0-9]+.")
    @Pattern("^/")
    @Size(max = 1024)
    public String regex;
  }

  /** A cookie and the value it must have. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class CookieMatch {
    @JsonPropertyDescription("The cookie name (case-sensitive, as RFC 6265 says).")
    @Required
    @Pattern(HEADER_NAME)
    public String name;
    @JsonPropertyDescription("The cookie's value must equal this.")
    @Required
    @Pattern("^[\\x21\\x23-\\x2B\\x2D-\\x3A\\x3C-\\x5B\\x5D-\\x7E]*$")
    @Size(max = 4096)
    public String exact;
  }

  /** A header name and exactly one of exact, prefix, regex or present. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HeaderMatch {
    @JsonPropertyDescription("The header name (case-insensitive).")
    @Required
    @Pattern(HEADER_NAME)
    public String name;
    @JsonPropertyDescription("The header's value must equal this.")
    public String exact;
    @JsonPropertyDescription("The header's value must start with this.")
    public String prefix;
    @JsonPropertyDescription("An RE2 regular expression the header's whole value must match, such as v[0-9]+ (write .*x.* to find x anywhere).")
    @Size(max = 1024)
    public String regex;
    @JsonPropertyDescription("true: the header must be present, whatever its value; false: it must be absent.")
    public Boolean present;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backend {
    @JsonPropertyDescription("A Service in the ProxyRoute's namespace.")
    @Required
    @Pattern(DNS_LABEL)
    public String service;

    @JsonPropertyDescription("The Service's port number (not the target port).")
    @Required
    @Min(1)
    @Max(65535)
    public Integer port;

    @JsonPropertyDescription("Relative share of the route's requests, 0 to 1000000 (99 and 1 make a 1% canary). Default 1.")
    @Min(0)
    @Max(1_000_000)
    public Integer weight;

    @JsonPropertyDescription("How requests reach the backend: http1, h2c (HTTP/2 cleartext), h2 (HTTP/2 over TLS) or https (HTTP/1.1 over TLS). Default: what the Service port's appProtocol says, else http1.")
    @SchemaFrom(type = Protocol.class)
    public String protocol;

    @JsonPropertyDescription("TLS to the backend (used by protocol h2 and https): trust and server name. Default: the JDK's trust store and <service>.<namespace>.svc.")
    public PolicySpec.BackendTls tls;

    // Per-backend cluster settings: each replaces the route's value of the same name.
    @JsonPropertyDescription("Replaces the route's loadBalancer for this backend.")
    public PolicySpec.LoadBalancer loadBalancer;
    @JsonPropertyDescription("Replaces the route's slowStart for this backend, such as 30s.")
    @Pattern(DURATION)
    public String slowStart;
    @JsonPropertyDescription("Replaces the route's healthCheck for this backend.")
    public PolicySpec.HealthCheck healthCheck;
    @JsonPropertyDescription("Replaces the route's outlierDetection for this backend.")
    public PolicySpec.OutlierDetection outlierDetection;
    @JsonPropertyDescription("Replaces the route's circuitBreakers for this backend.")
    public PolicySpec.CircuitBreakers circuitBreakers;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HeaderChanges {
    @JsonPropertyDescription("Headers to set, replacing any value they had.")
    public Map<String, String> set = new LinkedHashMap<>();
    @JsonPropertyDescription("Header names to remove.")
    public List<String> remove = new ArrayList<>();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Rewrite {
    @JsonPropertyDescription("Replaces the matched path prefix: with match prefix /api and pathPrefix /v1, /api/users is forwarded as /v1/users.")
    @Pattern(PATH_PATTERN)
    public String pathPrefix;
  }

  // Schema-only types: the fields stay Strings (an unknown value then rejects one route with a
  // condition instead of failing deserialisation of the whole object), while the CRD lists the
  // allowed values so the API server refuses them first.

  /** Schema of {@link Match#methods}. */
  public enum Method { GET, HEAD, POST, PUT, DELETE, CONNECT, OPTIONS, TRACE, PATCH }

  /** Schema of {@link LoadBalancer#policy}. */
  public enum Policy { RoundRobin, LeastRequest, Random, Maglev, CookieAffinity }

  /** Schema of {@link Backend#protocol}. */
  public enum Protocol {
    @com.fasterxml.jackson.annotation.JsonProperty("h2c") H2C,
    @com.fasterxml.jackson.annotation.JsonProperty("h2") H2,
    @com.fasterxml.jackson.annotation.JsonProperty("http1") HTTP1,
    @com.fasterxml.jackson.annotation.JsonProperty("https") HTTPS
  }

  /** Schema of {@link Retries#on}. */
  public enum RetryOn {
    @com.fasterxml.jackson.annotation.JsonProperty("connect-failure") CONNECT_FAILURE,
    @com.fasterxml.jackson.annotation.JsonProperty("reset") RESET,
    @com.fasterxml.jackson.annotation.JsonProperty("timeout") TIMEOUT,
    @com.fasterxml.jackson.annotation.JsonProperty("502") BAD_GATEWAY,
    @com.fasterxml.jackson.annotation.JsonProperty("503") UNAVAILABLE,
    @com.fasterxml.jackson.annotation.JsonProperty("504") GATEWAY_TIMEOUT
  }

  /** Schema of {@link Compression#algorithms}. */
  public enum Algorithm {
    @com.fasterxml.jackson.annotation.JsonProperty("br") BR,
    @com.fasterxml.jackson.annotation.JsonProperty("zstd") ZSTD,
    @com.fasterxml.jackson.annotation.JsonProperty("gzip") GZIP
  }

  /** Schema of {@link Redirect#scheme}. */
  public enum Scheme {
    @com.fasterxml.jackson.annotation.JsonProperty("http") HTTP,
    @com.fasterxml.jackson.annotation.JsonProperty("https") HTTPS
  }
}
