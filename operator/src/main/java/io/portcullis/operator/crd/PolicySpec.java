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
import java.util.List;

/**
 * How a route talks to its backends: upstream TLS, balancing, health checks, outlier detection,
 * circuit breakers, timeouts, retries and mirroring (part of the ProxyRoute CRD model, see
 * {@link ProxyRouteSpec}).
 */
public final class PolicySpec {
  private PolicySpec() {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  @ValidationRule(value = "!(has(self.caSecret) && has(self.insecureSkipVerify) && self.insecureSkipVerify)",
      message = "caSecret and insecureSkipVerify exclude each other")
  public static class BackendTls {
    @JsonPropertyDescription("A Secret in the ProxyRoute's namespace whose key ca.crt holds the PEM CA bundle the backend's certificate must chain to. Default: the JDK's trust store.")
    @Pattern(ProxyRouteSpec.DNS_NAME)
    @Size(max = 253)
    public String caSecret;

    @JsonPropertyDescription("SNI and the name the backend's certificate must carry. Default: <service>.<namespace>.svc.")
    @Pattern(ProxyRouteSpec.DNS_NAME)
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
    @SchemaFrom(type = ProxyRouteSpec.Policy.class)
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
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public String header;
    @JsonPropertyDescription("Hash this cookie's value.")
    @Pattern(ProxyRouteSpec.HEADER_NAME)
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
    @Pattern(ProxyRouteSpec.HEADER_NAME)
    public String name;
    @JsonPropertyDescription("Max-Age as a duration, such as 1h. Default: a session cookie.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String ttl;
    @JsonPropertyDescription("The cookie's Path. Default /.")
    @Pattern(ProxyRouteSpec.PATH_PATTERN)
    public String path;
  }

  /** Active HTTP health checks of every endpoint. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class HealthCheck {
    @JsonPropertyDescription("The path to GET on every endpoint, such as /healthz.")
    @Required
    @Pattern(ProxyRouteSpec.PATH_PATTERN)
    public String path;
    @JsonPropertyDescription("The Host header of the checks. Default: the endpoint's address and port.")
    @Pattern(ProxyRouteSpec.DNS_NAME)
    public String host;
    @JsonPropertyDescription("Time between checks of one endpoint, such as 5s. Default 10s.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String interval;
    @JsonPropertyDescription("Time to wait for a check's status line. Default 2s.")
    @Pattern(ProxyRouteSpec.DURATION)
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
    @Pattern(ProxyRouteSpec.STATUS_RANGE)
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
    @Pattern(ProxyRouteSpec.DURATION)
    public String baseEjectionTime;
    @JsonPropertyDescription("The longest an ejection may last. Default 5m.")
    @Pattern(ProxyRouteSpec.DURATION)
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
    @SchemaFrom(type = ProxyRouteSpec.RetryOn[].class)
    public List<String> on;
    @JsonPropertyDescription("Also retry POST, PATCH and other non-idempotent methods after something was sent. Default false (they are retried only after a failed connect).")
    public Boolean nonIdempotent;
    @JsonPropertyDescription("Wait before each retry: full jitter, doubling from base up to max. Default 25ms to 250ms.")
    public Backoff backoff;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Backoff {
    @JsonPropertyDescription("The first back-off, such as 25ms. Default 25ms.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String base;
    @JsonPropertyDescription("The longest back-off. Default 250ms.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String max;
  }

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class Mirror {
    @JsonPropertyDescription("The Service in the ProxyRoute's namespace that gets the copies.")
    @Required
    @Pattern(ProxyRouteSpec.DNS_LABEL)
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
    @Pattern(ProxyRouteSpec.DURATION)
    public String request;

    @JsonPropertyDescription("No byte in either direction while a request is in flight, such as 60s. Default 60s.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String idle;

    @JsonPropertyDescription("TCP (and TLS) connect to a backend. Default 5s.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String connect;

    @JsonPropertyDescription("One try's wait for the response head when retrying, such as 2s. Default: only request applies.")
    @Pattern(ProxyRouteSpec.DURATION)
    public String perTry;
  }
}
