package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
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
  public Cors cors;
  @JsonPropertyDescription("The shared HTTP cache for every route; a route's own cache replaces it.")
  public CacheSpec cache;
  @JsonPropertyDescription("Response compression for every route; a route's own compression replaces it.")
  public Compression compression;
  @JsonPropertyDescription("The web application firewall for every route; a route's own waf replaces it.")
  public Waf waf;

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
    public Timeouts timeouts;
    @JsonPropertyDescription("When and how often to retry a failed request. Default: one retry after a failed connect.")
    public Retries retries;
    @JsonPropertyDescription("Copy a share of the requests to another Service; its answers are discarded.")
    public Mirror mirror;

    // Cluster settings for every backend of the route; a backend's own value replaces them.
    @JsonPropertyDescription("How requests are spread over the endpoints of every backend. Default: round robin. A backend's own value replaces it.")
    public LoadBalancer loadBalancer;
    @JsonPropertyDescription("New endpoints ramp up from a tenth of a share to a full share over this long, such as 30s. Default: off. A backend's own value replaces it.")
    @Pattern(DURATION)
    public String slowStart;
    @JsonPropertyDescription("Active HTTP checks of every endpoint of every backend. Default: none. A backend's own value replaces it.")
    public HealthCheck healthCheck;
    @JsonPropertyDescription("Eject endpoints that keep failing real requests. Default: 5 gateway failures in a row eject for 30s. A backend's own value replaces it.")
    public OutlierDetection outlierDetection;
    @JsonPropertyDescription("Per-dataplane limits per backend; over a limit a request gets an immediate 503. A backend's own value replaces it.")
    public CircuitBreakers circuitBreakers;

    @JsonPropertyDescription("Headers set on or removed from the request before it is forwarded.")
    public HeaderChanges requestHeaders;
    @JsonPropertyDescription("Headers set on or removed from the response before it is returned.")
    public HeaderChanges responseHeaders;
    @JsonPropertyDescription("Rewrite the path before forwarding.")
    public Rewrite rewrite;
    @JsonPropertyDescription("Answer with a redirect instead of forwarding. Exactly one of backends, redirect or directResponse.")
    public Redirect redirect;
    @JsonPropertyDescription("Answer with a fixed status and body instead of forwarding. Exactly one of backends, redirect or directResponse.")
    public DirectResponse directResponse;
    @JsonPropertyDescription("Serve files from a ConfigMap or a mounted directory; exclusive with the other actions.")
    @com.fasterxml.jackson.annotation.JsonProperty("static")
    public StaticContent staticContent;

    // Request-path filters of this route, each replacing the spec-level setting of its kind.
    @JsonPropertyDescription("CORS for this route; replaces the spec-level cors.")
    public Cors cors;
    @JsonPropertyDescription("Authentication of this route, replacing spec.auth.")
    public AuthSpec auth;
    @JsonPropertyDescription("The shared HTTP cache for this route; replaces the spec-level cache.")
    public CacheSpec cache;
    @JsonPropertyDescription("Response compression for this route; replaces the spec's.")
    public Compression compression;
    @JsonPropertyDescription("The web application firewall for this route; replaces the spec-level waf.")
    public Waf waf;
  }

  /**
   * The web application firewall: the OWASP Core Rule Set with anomaly scoring over each request's
   * headers and the first 128 KiB of its body.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Waf {
    @JsonPropertyDescription("block (403, the default), detect (log only) or off.")
    @Pattern("^(block|detect|off)$")
    public String mode;
    @JsonPropertyDescription("CRS paranoia level, 1 (default, fewest false positives) to 4.")
    @Min(1)
    @Max(4)
    public Integer paranoiaLevel;
    @JsonPropertyDescription("Inbound anomaly score that condemns a request; default 5 (one critical match).")
    @Min(1)
    @Max(10000)
    public Integer anomalyThreshold;
    @JsonPropertyDescription("Rule ids or id ranges that do not run here, such as 942100 or 920000-920999.")
    @Size(max = 256)
    @Pattern("^[1-9][0-9]{0,8}(-[1-9][0-9]{0,8})?$")
    public List<String> excludeRules;
  }

  /**
   * Cross-origin resource sharing, answered by the proxy: preflights never reach the backend, a
   * disallowed preflight gets 403, a disallowed origin gets no CORS headers.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Cors {
    @JsonPropertyDescription("Origins allowed to read responses: exact (https://app.example.com), a wildcard subdomain (https://*.example.com), or * (not with allowCredentials).")
    @Required
    @Size(min = 1, max = 64)
    public List<String> allowOrigins;
    @JsonPropertyDescription("Methods a preflight may ask for. Default GET, HEAD, POST.")
    @Size(max = 32)
    public List<String> allowMethods;
    @JsonPropertyDescription("Request headers a preflight may ask for; * allows any (not with allowCredentials).")
    @Size(max = 64)
    public List<String> allowHeaders;
    @JsonPropertyDescription("Response headers scripts may read, besides the CORS-safelisted ones.")
    @Size(max = 64)
    public List<String> exposeHeaders;
    @JsonPropertyDescription("Whether cookies and credentials may be sent. Default false.")
    public Boolean allowCredentials;
    @JsonPropertyDescription("How long browsers may cache a preflight answer, such as 10m. Default: the browser's (5s in most).")
    @Pattern(DURATION)
    public String maxAge;
  }

  /** Response compression: off unless this is present (and {@code enabled} is not false). */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Compression {
    @JsonPropertyDescription("False turns compression off for a route although the spec enables it; default true.")
    public Boolean enabled;
    @JsonPropertyDescription("Encodings in order of preference; default [br, zstd, gzip].")
    @SchemaFrom(type = Algorithm[].class)
    public List<String> algorithms;
    @JsonPropertyDescription("Responses with a Content-Length below this are sent as they are; default 1024.")
    @Min(0)
    public Integer minLength;
    @JsonPropertyDescription("Media types to compress, type/subtype or type/*; default: text types.")
    @Size(max = 64)
    @Pattern("^[a-zA-Z0-9][-a-zA-Z0-9.+]*/(\\*|[a-zA-Z0-9][-a-zA-Z0-9.+]*)$")
    public List<String> contentTypes;
    @JsonPropertyDescription("gzip level 1-9; default 5.")
    @Min(1)
    @Max(9)
    public Integer gzipLevel;
    @JsonPropertyDescription("brotli quality 1-11; default 5.")
    @Min(1)
    @Max(11)
    public Integer brotliLevel;
    @JsonPropertyDescription("zstd level 1-22; default 3.")
    @Min(1)
    @Max(22)
    public Integer zstdLevel;
  }

  /** Static content: exactly one of {@code configMap} and {@code directory}. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "has(self.configMap) != has(self.directory)",
      message = "static needs exactly one of configMap or directory")
  public static class StaticContent {
    @JsonPropertyDescription("A ConfigMap in the route's namespace: each key of data and binaryData is a file.")
    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String configMap;
    @JsonPropertyDescription("An absolute path in the dataplane pods (a volume mounted through the chart's values).")
    @Pattern("^/[^\\s]*$")
    public String directory;
    @JsonPropertyDescription("The file served for a directory; default index.html.")
    @Pattern("^[^/]+$")
    public String index;
    @JsonPropertyDescription("Serve the root index for paths that name no file (a single-page app); default false.")
    public Boolean spaFallback;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Match {
    @JsonPropertyDescription("The path to match: exactly one of exact, prefix or regex. Default: prefix /.")
    public PathMatch path;
    @JsonPropertyDescription("Headers that must all match.")
    public List<HeaderMatch> headers;
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

  /** A header name and exactly one of exact, prefix or present. */
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
    public BackendTls tls;

    // Per-backend cluster settings: each replaces the route's value of the same name.
    @JsonPropertyDescription("Replaces the route's loadBalancer for this backend.")
    public LoadBalancer loadBalancer;
    @JsonPropertyDescription("Replaces the route's slowStart for this backend, such as 30s.")
    @Pattern(DURATION)
    public String slowStart;
    @JsonPropertyDescription("Replaces the route's healthCheck for this backend.")
    public HealthCheck healthCheck;
    @JsonPropertyDescription("Replaces the route's outlierDetection for this backend.")
    public OutlierDetection outlierDetection;
    @JsonPropertyDescription("Replaces the route's circuitBreakers for this backend.")
    public CircuitBreakers circuitBreakers;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "!(has(self.caSecret) && has(self.insecureSkipVerify) && self.insecureSkipVerify)",
      message = "caSecret and insecureSkipVerify exclude each other")
  public static class BackendTls {
    @JsonPropertyDescription("A Secret in the ProxyRoute's namespace whose key ca.crt holds the PEM CA bundle the backend's certificate must chain to. Default: the JDK's trust store.")
    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String caSecret;

    @JsonPropertyDescription("SNI and the name the backend's certificate must carry. Default: <service>.<namespace>.svc.")
    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String serverName;

    @JsonPropertyDescription("Accept any certificate: for testing only. Excludes caSecret.")
    public Boolean insecureSkipVerify;
  }

  /** How requests are spread over the endpoints. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.policy == 'Maglev' ? has(self.hashOn) : !has(self.hashOn)",
      message = "hashOn is required for policy Maglev and only for it")
  @ValidationRule(value = "self.policy == 'CookieAffinity' || !has(self.cookie)",
      message = "cookie applies only to policy CookieAffinity")
  public static class LoadBalancer {
    @JsonPropertyDescription("RoundRobin (smooth weighted, the default), LeastRequest (the less busy of two random endpoints), Random, Maglev (consistent hash; needs hashOn) or CookieAffinity (sticky by a cookie the proxy sets).")
    @Required
    @SchemaFrom(type = Policy.class)
    public String policy;

    @JsonPropertyDescription("What Maglev hashes: exactly one of header, cookie, queryParameter or clientAddress. Only for policy Maglev.")
    public HashOn hashOn;

    @JsonPropertyDescription("The cookie the proxy issues for CookieAffinity. Default: a session cookie named portcullis-affinity.")
    public AffinityCookie cookie;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.header) ? 1 : 0) + (has(self.cookie) ? 1 : 0)"
      + " + (has(self.queryParameter) ? 1 : 0) + (has(self.clientAddress) && self.clientAddress ? 1 : 0) == 1",
      message = "hashOn needs exactly one of header, cookie, queryParameter or clientAddress: true")
  public static class HashOn {
    @JsonPropertyDescription("Hash this request header's value.")
    @Pattern(HEADER_NAME)
    public String header;
    @JsonPropertyDescription("Hash this cookie's value.")
    @Pattern(HEADER_NAME)
    public String cookie;
    @JsonPropertyDescription("Hash this query parameter's value.")
    @Size(min = 1, max = 256)
    public String queryParameter;
    @JsonPropertyDescription("Hash the client's IP address.")
    public Boolean clientAddress;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class AffinityCookie {
    @JsonPropertyDescription("The cookie's name.")
    @Required
    @Pattern(HEADER_NAME)
    public String name;
    @JsonPropertyDescription("Max-Age as a duration, such as 1h. Default: a session cookie.")
    @Pattern(DURATION)
    public String ttl;
    @JsonPropertyDescription("The cookie's Path. Default /.")
    @Pattern(PATH_PATTERN)
    public String path;
  }

  /** Active HTTP health checks of every endpoint. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HealthCheck {
    @JsonPropertyDescription("The path to GET on every endpoint, such as /healthz.")
    @Required
    @Pattern(PATH_PATTERN)
    public String path;
    @JsonPropertyDescription("The Host header of the checks. Default: the endpoint's address and port.")
    @Pattern(DNS_NAME)
    public String host;
    @JsonPropertyDescription("Time between checks of one endpoint, such as 5s. Default 10s.")
    @Pattern(DURATION)
    public String interval;
    @JsonPropertyDescription("Time to wait for a check's status line. Default 2s.")
    @Pattern(DURATION)
    public String timeout;
    @JsonPropertyDescription("Passed checks in a row that bring an unhealthy endpoint back, 1 to 100. Default 2.")
    @Min(1)
    @Max(100)
    public Integer healthyThreshold;
    @JsonPropertyDescription("Failed checks in a row that take a healthy endpoint out, 1 to 100. Default 3.")
    @Min(1)
    @Max(100)
    public Integer unhealthyThreshold;
    @JsonPropertyDescription("Statuses that pass, each a code or an inclusive range (\"200-299\", \"404\"). Default 200-399.")
    @Pattern(STATUS_RANGE)
    public List<String> expectedStatuses;
  }

  /** Passive ejection of endpoints that keep failing. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OutlierDetection {
    @JsonPropertyDescription("Any 5xx answers in a row that eject an endpoint; 0 disables. Default 0.")
    @Min(0)
    public Integer consecutive5xx;
    @JsonPropertyDescription("Connect failures, resets, timeouts and 502/503/504 in a row that eject an endpoint; 0 disables. Default 5.")
    @Min(0)
    public Integer consecutiveGatewayFailures;
    @JsonPropertyDescription("How long the first ejection lasts; each further one lasts longer. Default 30s.")
    @Pattern(DURATION)
    public String baseEjectionTime;
    @JsonPropertyDescription("The longest an ejection may last. Default 5m.")
    @Pattern(DURATION)
    public String maxEjectionTime;
    @JsonPropertyDescription("Never eject more than this share of the endpoints at once, 0 to 100. Default 50.")
    @Min(0)
    @Max(100)
    public Integer maxEjectionPercent;
  }

  /** Per-dataplane limits; beyond one a request gets a fast 503. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class CircuitBreakers {
    @JsonPropertyDescription("Open connections to the backend per dataplane (idle pooled ones count). Default 1024.")
    @Min(1)
    public Integer maxConnections;
    @JsonPropertyDescription("Requests waiting for a new connection per dataplane. Default 1024.")
    @Min(0)
    public Integer maxPendingRequests;
    @JsonPropertyDescription("Requests in flight per dataplane. Default 1024.")
    @Min(1)
    public Integer maxRequests;
    @JsonPropertyDescription("Retries in flight may be at most this share of the requests in flight, 0 to 100. Default 20.")
    @Min(0)
    @Max(100)
    public Integer retryBudgetPercent;
    @JsonPropertyDescription("Retries in flight always allowed, whatever the budget. Default 3.")
    @Min(0)
    public Integer minRetryConcurrency;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Retries {
    @JsonPropertyDescription("Retries after the first try, 0 to 10.")
    @Required
    @Min(0)
    @Max(10)
    public Integer attempts;
    @JsonPropertyDescription("When to retry: connect-failure, reset, timeout (per try), 502, 503, 504. Default: connect-failure, reset, 502, 503 and 504.")
    @SchemaFrom(type = RetryOn[].class)
    public List<String> on;
    @JsonPropertyDescription("Also retry POST, PATCH and other non-idempotent methods after something was sent. Default false (they are retried only after a failed connect).")
    public Boolean nonIdempotent;
    @JsonPropertyDescription("Wait before each retry: full jitter, doubling from base up to max. Default 25ms to 250ms.")
    public Backoff backoff;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backoff {
    @JsonPropertyDescription("The first back-off, such as 25ms. Default 25ms.")
    @Pattern(DURATION)
    public String base;
    @JsonPropertyDescription("The longest back-off. Default 250ms.")
    @Pattern(DURATION)
    public String max;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Mirror {
    @JsonPropertyDescription("The Service in the ProxyRoute's namespace that gets the copies.")
    @Required
    @Pattern(DNS_LABEL)
    public String service;
    @JsonPropertyDescription("Its port number.")
    @Required
    @Min(1)
    @Max(65535)
    public Integer port;
    @JsonPropertyDescription("Share of the requests copied, 1 to 100. Default 100.")
    @Min(1)
    @Max(100)
    public Integer percent;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Timeouts {
    @JsonPropertyDescription("The whole exchange, all tries and the response body included, such as 15s. Default: only the wait for the response head is bounded (60s).")
    @Pattern(DURATION)
    public String request;

    @JsonPropertyDescription("No byte in either direction while a request is in flight, such as 60s. Default 60s.")
    @Pattern(DURATION)
    public String idle;

    @JsonPropertyDescription("TCP (and TLS) connect to a backend. Default 5s.")
    @Pattern(DURATION)
    public String connect;

    @JsonPropertyDescription("One try's wait for the response head when retrying, such as 2s. Default: only request applies.")
    @Pattern(DURATION)
    public String perTry;
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

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Redirect {
    @JsonPropertyDescription("http or https. Default: the request's.")
    @SchemaFrom(type = Scheme.class)
    public String scheme;

    @JsonPropertyDescription("The host to send the client to. Default: the request's.")
    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String host;

    @JsonPropertyDescription("The port to send the client to. Default: none in the URL, so the scheme's default port.")
    @Min(1)
    @Max(65535)
    public Integer port;

    @JsonPropertyDescription("The path to send the client to. Default: the request's.")
    @Pattern(PATH_PATTERN)
    public String path;

    @JsonPropertyDescription("301, 302, 303, 307 or 308. Default 302.")
    @Min(301)
    @Max(308)
    @ValidationRule(value = "self in [301, 302, 303, 307, 308]", message = "statusCode must be 301, 302, 303, 307 or 308")
    public Integer statusCode;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DirectResponse {
    @JsonPropertyDescription("The status to answer with, 200 to 599.")
    @Required
    @Min(200)
    @Max(599)
    public Integer status;

    @JsonPropertyDescription("A plain-text body, at most 64 KiB. Default: none.")
    @Size(max = 65536)
    public String body;
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
