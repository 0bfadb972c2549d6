package io.portcullis.operator.crd;

import com.fasterxml.jackson.annotation.JsonInclude;
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
  /** A duration as {@code io.portcullis.snapshot.cli.Durations} reads it. */
  static final String DURATION = "^[0-9]{1,9}(ms|s|m|h)$";
  /** An HTTP status or an inclusive range of them: {@code 404}, {@code 200-299}. */
  static final String STATUS_RANGE = "^[1-5][0-9][0-9](-[1-5][0-9][0-9])?$";

  /** Name of the IngressClass this route belongs to; empty means the default class. */
  public String ingressClassName;

  /** Exact host names, or wildcards of one leading label ({@code *.example.com}). */
  @Required
  @Size(min = 1, max = 64)
  @Pattern(HOST_PATTERN)
  public List<String> hosts = new ArrayList<>();

  /** TLS for all hosts of this route. */
  public Tls tls;

  // Request-path filters for every route of this object; a route's own setting of a kind replaces
  // the one here.
  /** CORS for every route; a route's own {@code cors} replaces it. */
  public Cors cors;
  /** The web application firewall for every route; a route's own {@code waf} replaces it. */
  public Waf waf;

  /** Routes in the order the user wrote them; precedence is computed, not taken from this order. */
  @Required
  @Size(min = 1, max = 256)
  public List<RouteSpec> routes = new ArrayList<>();

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Tls {
    /** A {@code kubernetes.io/tls} Secret in the ProxyRoute's namespace. */
    @Required
    @Size(min = 1, max = 253)
    @Pattern(DNS_NAME)
    public String secretName;

    /** Answer plain-HTTP requests for these hosts with a 308 to https; default true. */
    public Boolean redirectHttp;

    /** Add a Strict-Transport-Security header to HTTPS responses; none when absent. */
    public Hsts hsts;

    /** Ask clients for a certificate (downstream mTLS); none when absent. */
    public ClientCertificate clientCertificate;
  }

  /**
   * Client certificate validation for the hosts. When the CA Secret is unusable the hosts are not
   * served at all (fail closed), since serving them without the validation asked for would open
   * them to anyone.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class ClientCertificate {
    /** A Secret in the ProxyRoute's namespace whose key {@code ca.crt} holds the PEM CA bundle. */
    @Required
    @Pattern(DNS_NAME)
    @Size(min = 1, max = 253)
    public String caSecret;

    /** Serve clients without a certificate too (an invalid one is still refused); default false. */
    public Boolean optional;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Hsts {
    /** max-age in seconds, at most ten years; 0 tells browsers to forget the host. */
    @Required
    @Min(0)
    @Max(315_360_000)
    public Long maxAge;

    /** Also covers every subdomain; default false. */
    public Boolean includeSubDomains;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class RouteSpec {
    /** Optional name, used in metrics and route names; defaults to the route's index. */
    @Pattern(DNS_LABEL)
    public String name;

    public Match match;
    /** Where to forward; exclusive with {@code redirect} and {@code directResponse}. */
    @Size(min = 1, max = 64)
    public List<Backend> backends;

    public Timeouts timeouts;
    public Retries retries;
    /** Copies of the requests to a shadow backend; its answers are discarded. */
    public Mirror mirror;

    // Cluster settings for every backend of the route; a backend's own value replaces them.
    public LoadBalancer loadBalancer;
    /** New endpoints ramp up their share over this long, such as {@code 30s}. */
    @Pattern(DURATION)
    public String slowStart;
    public HealthCheck healthCheck;
    public OutlierDetection outlierDetection;
    public CircuitBreakers circuitBreakers;

    public HeaderChanges requestHeaders;
    public HeaderChanges responseHeaders;
    public Rewrite rewrite;
    public Redirect redirect;
    public DirectResponse directResponse;

    // Request-path filters of this route, each replacing the spec-level setting of its kind.
    /** CORS for this route; replaces the spec-level {@code cors}. */
    public Cors cors;
    /** The web application firewall for this route; replaces the spec-level {@code waf}. */
    public Waf waf;
  }

  /**
   * The web application firewall: the OWASP Core Rule Set with anomaly scoring over each request's
   * headers and the first 128 KiB of its body.
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Waf {
    /** {@code block} (403, the default), {@code detect} (log only) or {@code off}. */
    @Pattern("^(block|detect|off)$")
    public String mode;
    /** CRS paranoia level, 1 (default, fewest false positives) to 4. */
    @Min(1)
    @Max(4)
    public Integer paranoiaLevel;
    /** Inbound anomaly score that condemns a request; default 5 (one critical match). */
    @Min(1)
    @Max(10000)
    public Integer anomalyThreshold;
    /** Rule ids or id ranges that do not run here, such as {@code 942100} or {@code 920000-920999}. */
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
    /**
     * Origins allowed to read responses: exact ({@code https://app.example.com}), a wildcard
     * subdomain ({@code https://*.example.com}), or {@code *} (not with credentials).
     */
    @Required
    @Size(min = 1, max = 64)
    public List<String> allowOrigins;
    /** Methods a preflight may ask for; default GET, HEAD, POST. */
    @Size(max = 32)
    public List<String> allowMethods;
    /** Request headers a preflight may ask for; {@code *} allows any (not with credentials). */
    @Size(max = 64)
    public List<String> allowHeaders;
    /** Response headers scripts may read. */
    @Size(max = 64)
    public List<String> exposeHeaders;
    /** Whether cookies and credentials may be sent; default false. */
    public Boolean allowCredentials;
    /** How long browsers may cache a preflight answer, such as {@code 10m}. */
    @Pattern(DURATION)
    public String maxAge;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Match {
    public PathMatch path;
    public List<HeaderMatch> headers;
    /** HTTP methods, any of which matches; empty means all. */
    @SchemaFrom(type = Method[].class)
    public List<String> methods;
  }

  /** Exactly one of exact, prefix or regex. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class PathMatch {
    @Pattern(PATH_PATTERN)
    @Size(max = 1024)
    public String exact;

    @Pattern(PATH_PATTERN)
    @Size(max = 1024)
    public String prefix;

    /** RE2 syntax, matched against the whole path. */
    @Pattern("^/")
    @Size(max = 1024)
    public String regex;
  }

  /** A header name and exactly one of exact, prefix or present. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HeaderMatch {
    @Required
    @Pattern(HEADER_NAME)
    public String name;
    public String exact;
    public String prefix;
    public Boolean present;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backend {
    /** A Service in the ProxyRoute's namespace. */
    @Required
    @Pattern(DNS_LABEL)
    public String service;

    /** Service port number. */
    @Required
    @Min(1)
    @Max(65535)
    public Integer port;

    /** Relative weight, 0 to 1,000,000; default 1. */
    @Min(0)
    @Max(1_000_000)
    public Integer weight;

    /**
     * How requests reach the backend: h2c (HTTP/2 cleartext), h2 (HTTP/2 over TLS), http1, or
     * https (HTTP/1.1 over TLS). Default: what the Service port's appProtocol says, else http1.
     */
    @SchemaFrom(type = Protocol.class)
    public String protocol;

    /** TLS to the backend (implied by protocol h2 and https). */
    public BackendTls tls;

    // Per-backend cluster settings: each replaces the route's value of the same name.
    public LoadBalancer loadBalancer;
    @Pattern(DURATION)
    public String slowStart;
    public HealthCheck healthCheck;
    public OutlierDetection outlierDetection;
    public CircuitBreakers circuitBreakers;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "!(has(self.caSecret) && has(self.insecureSkipVerify) && self.insecureSkipVerify)",
      message = "caSecret and insecureSkipVerify exclude each other")
  public static class BackendTls {
    /** A Secret in the ProxyRoute's namespace whose key {@code ca.crt} holds the PEM CA bundle. */
    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String caSecret;

    /** SNI and the name the certificate must carry; default {@code <service>.<namespace>.svc}. */
    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String serverName;

    /** Accept any certificate. Only for testing; exclusive with caSecret. */
    public Boolean insecureSkipVerify;
  }

  /** How requests are spread over the endpoints. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "self.policy == 'Maglev' ? has(self.hashOn) : !has(self.hashOn)",
      message = "hashOn is required for policy Maglev and only for it")
  @ValidationRule(value = "self.policy == 'CookieAffinity' || !has(self.cookie)",
      message = "cookie applies only to policy CookieAffinity")
  public static class LoadBalancer {
    /** RoundRobin (default), LeastRequest, Random, Maglev (needs hashOn) or CookieAffinity. */
    @Required
    @SchemaFrom(type = Policy.class)
    public String policy;

    /** What Maglev hashes: exactly one of header, cookie, queryParameter or clientAddress. */
    public HashOn hashOn;

    /** The cookie the proxy issues for CookieAffinity. */
    public AffinityCookie cookie;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "(has(self.header) ? 1 : 0) + (has(self.cookie) ? 1 : 0)"
      + " + (has(self.queryParameter) ? 1 : 0) + (has(self.clientAddress) && self.clientAddress ? 1 : 0) == 1",
      message = "hashOn needs exactly one of header, cookie, queryParameter or clientAddress: true")
  public static class HashOn {
    @Pattern(HEADER_NAME)
    public String header;
    @Pattern(HEADER_NAME)
    public String cookie;
    @Size(min = 1, max = 256)
    public String queryParameter;
    public Boolean clientAddress;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class AffinityCookie {
    @Required
    @Pattern(HEADER_NAME)
    public String name;
    /** Max-Age as a duration; absent means a session cookie. */
    @Pattern(DURATION)
    public String ttl;
    /** Cookie Path; default {@code /}. */
    @Pattern(PATH_PATTERN)
    public String path;
  }

  /** Active HTTP health checks of every endpoint. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HealthCheck {
    @Required
    @Pattern(PATH_PATTERN)
    public String path;
    /** Host header; default the endpoint's address. */
    @Pattern(DNS_NAME)
    public String host;
    /** Default 10s. */
    @Pattern(DURATION)
    public String interval;
    /** Default 2s. */
    @Pattern(DURATION)
    public String timeout;
    /** Default 2. */
    @Min(1)
    @Max(100)
    public Integer healthyThreshold;
    /** Default 3. */
    @Min(1)
    @Max(100)
    public Integer unhealthyThreshold;
    /** Status codes or inclusive ranges ({@code "200-299"}, {@code "404"}); default 200-399. */
    @Pattern(STATUS_RANGE)
    public List<String> expectedStatuses;
  }

  /** Passive ejection of endpoints that keep failing. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class OutlierDetection {
    /** 5xx answers in a row that eject; 0 disables; default 0. */
    @Min(0)
    public Integer consecutive5xx;
    /** Connect failures, resets, timeouts and 502/503/504 in a row that eject; default 5. */
    @Min(0)
    public Integer consecutiveGatewayFailures;
    /** First ejection time, growing with each ejection; default 30s. */
    @Pattern(DURATION)
    public String baseEjectionTime;
    /** Cap on the ejection time; default 5m. */
    @Pattern(DURATION)
    public String maxEjectionTime;
    /** Never eject more than this share of endpoints; default 50. */
    @Min(0)
    @Max(100)
    public Integer maxEjectionPercent;
  }

  /** Per-dataplane limits; beyond one a request gets a fast 503. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class CircuitBreakers {
    /** Default 1024. */
    @Min(1)
    public Integer maxConnections;
    /** Default 1024. */
    @Min(0)
    public Integer maxPendingRequests;
    /** Default 1024. */
    @Min(1)
    public Integer maxRequests;
    /** Retries in flight may be at most this share of requests in flight; default 20. */
    @Min(0)
    @Max(100)
    public Integer retryBudgetPercent;
    /** Retries always allowed regardless of the budget; default 3. */
    @Min(0)
    public Integer minRetryConcurrency;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Retries {
    /** Retries after the first try, 0 to 10. */
    @Required
    @Min(0)
    @Max(10)
    public Integer attempts;
    /**
     * When to retry: connect-failure, reset, timeout, 502, 503, 504; default
     * connect-failure, reset, 502, 503 and 504.
     */
    @SchemaFrom(type = RetryOn[].class)
    public List<String> on;
    /** Also retry POST, PATCH and other non-idempotent methods; default false. */
    public Boolean nonIdempotent;
    public Backoff backoff;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backoff {
    /** First back-off (full jitter, doubling); default 25ms. */
    @Pattern(DURATION)
    public String base;
    /** Cap on the back-off; default 250ms. */
    @Pattern(DURATION)
    public String max;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Mirror {
    @Required
    @Pattern(DNS_LABEL)
    public String service;
    @Required
    @Min(1)
    @Max(65535)
    public Integer port;
    /** Share of requests copied, 1 to 100; default 100. */
    @Min(1)
    @Max(100)
    public Integer percent;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Timeouts {
    /** Time for the backend's whole response, as a duration such as {@code 15s} or {@code 500ms}. */
    @Pattern(DURATION)
    public String request;

    /** Idle time allowed on the connection, such as {@code 60s}. */
    @Pattern(DURATION)
    public String idle;

    /** TCP (and TLS) connect timeout to a backend; default 5s. */
    @Pattern(DURATION)
    public String connect;

    /** Time for one try's response headers when retrying; default: only {@code request} applies. */
    @Pattern(DURATION)
    public String perTry;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HeaderChanges {
    public Map<String, String> set = new LinkedHashMap<>();
    public List<String> remove = new ArrayList<>();
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Rewrite {
    /** Replaces the matched path prefix. */
    @Pattern(PATH_PATTERN)
    public String pathPrefix;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Redirect {
    @SchemaFrom(type = Scheme.class)
    public String scheme;

    @Pattern(DNS_NAME)
    @Size(max = 253)
    public String host;

    @Min(1)
    @Max(65535)
    public Integer port;

    @Pattern(PATH_PATTERN)
    public String path;

    /** 301, 302, 303, 307 or 308; default 302. */
    @Min(301)
    @Max(308)
    @ValidationRule(value = "self in [301, 302, 303, 307, 308]", message = "statusCode must be 301, 302, 303, 307 or 308")
    public Integer statusCode;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class DirectResponse {
    @Required
    @Min(200)
    @Max(599)
    public Integer status;

    /** Plain text, at most 64 KiB. */
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

  /** Schema of {@link Redirect#scheme}. */
  public enum Scheme {
    @com.fasterxml.jackson.annotation.JsonProperty("http") HTTP,
    @com.fasterxml.jackson.annotation.JsonProperty("https") HTTPS
  }
}
