package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.List;

/**
 * How the dataplane talks to and balances over one cluster's endpoints. Every part is optional:
 * a null part means the dataplane's documented default, so snapshots that say nothing stay small
 * and hash the same as before the part existed.
 *
 * <p>Policies are per cluster; the operator gives a Service port one cluster per distinct policy
 * (see the compiler), so two routes to the same Service with different policies do not share
 * balancing state.
 *
 * @param protocol how requests are sent; null means {@link Protocol#HTTP1}
 * @param tls TLS to the endpoints, or null for plaintext
 * @param loadBalancer the balancing policy; null means smooth round robin
 * @param slowStartMillis a new endpoint's share ramps up linearly over this long; 0 means none
 * @param healthCheck active HTTP health checks, or null for none
 * @param outlierDetection passive ejection; null means the dataplane default (consecutive
 *     connection failures only, see {@link OutlierDetection#DEFAULT})
 * @param circuitBreakers limits; null means {@link CircuitBreakers#DEFAULT}
 * @param connectTimeoutMillis TCP (and TLS) connect timeout; 0 means the default (5s)
 * @param panicThresholdPercent when fewer than this share of endpoints are healthy, balance over
 *     all of them (Envoy's panic mode); null means 50, 0 disables panic mode
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ClusterPolicy(
    Protocol protocol,
    UpstreamTls tls,
    LoadBalancer loadBalancer,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long slowStartMillis,
    HealthCheck healthCheck,
    OutlierDetection outlierDetection,
    CircuitBreakers circuitBreakers,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long connectTimeoutMillis,
    Integer panicThresholdPercent) {

  /** The policy with every part at its default. */
  public static final ClusterPolicy DEFAULT =
      new ClusterPolicy(null, null, null, 0, null, null, null, 0, null);

  public ClusterPolicy {
    requireNonNegative(slowStartMillis, "slow start");
    requireNonNegative(connectTimeoutMillis, "connect timeout");
    if (panicThresholdPercent != null && (panicThresholdPercent < 0 || panicThresholdPercent > 100)) {
      throw new IllegalArgumentException("panic threshold must be 0..100: " + panicThresholdPercent);
    }
  }

  public Protocol protocolOrDefault() {
    return protocol == null ? Protocol.HTTP1 : protocol;
  }

  public LoadBalancer loadBalancerOrDefault() {
    return loadBalancer == null ? LoadBalancer.ROUND_ROBIN : loadBalancer;
  }

  public OutlierDetection outlierDetectionOrDefault() {
    return outlierDetection == null ? OutlierDetection.DEFAULT : outlierDetection;
  }

  public CircuitBreakers circuitBreakersOrDefault() {
    return circuitBreakers == null ? CircuitBreakers.DEFAULT : circuitBreakers;
  }

  public long connectTimeoutMillisOrDefault() {
    return connectTimeoutMillis == 0 ? 5_000 : connectTimeoutMillis;
  }

  public int panicThresholdPercentOrDefault() {
    return panicThresholdPercent == null ? 50 : panicThresholdPercent;
  }

  public ClusterPolicy withProtocol(Protocol p) {
    return new ClusterPolicy(p, tls, loadBalancer, slowStartMillis, healthCheck, outlierDetection,
        circuitBreakers, connectTimeoutMillis, panicThresholdPercent);
  }

  public ClusterPolicy withTls(UpstreamTls t) {
    return new ClusterPolicy(protocol, t, loadBalancer, slowStartMillis, healthCheck,
        outlierDetection, circuitBreakers, connectTimeoutMillis, panicThresholdPercent);
  }

  static void requireNonNegative(long value, String what) {
    if (value < 0) {
      throw new IllegalArgumentException(what + " must not be negative: " + value);
    }
  }

  /** The wire protocol to the endpoints. */
  public enum Protocol {
    /** HTTP/1.1 (over TLS when {@link ClusterPolicy#tls} is set). */
    HTTP1,
    /** HTTP/2: prior knowledge (h2c) in plaintext, ALPN {@code h2} over TLS. */
    H2
  }

  /**
   * TLS to the endpoints.
   *
   * @param serverName SNI and the name the certificate must carry; null means the Service's DNS
   *     name ({@code service.namespace.svc})
   * @param caCertificatesPem PEM bundle the endpoint's certificate must chain to; null with
   *     {@code insecureSkipVerify} false means the JDK's default trust store
   * @param insecureSkipVerify accept any certificate: only when the route explicitly says so
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record UpstreamTls(
      String serverName,
      String caCertificatesPem,
      @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean insecureSkipVerify) {
    public UpstreamTls {
      if (insecureSkipVerify && caCertificatesPem != null) {
        throw new IllegalArgumentException("upstream TLS: a CA bundle and insecureSkipVerify exclude each other");
      }
    }
  }

  /**
   * The balancing policy.
   *
   * @param policy the algorithm
   * @param hashOn what the hash of {@link Policy#MAGLEV} is computed from; null otherwise
   * @param hashKey header, cookie or query parameter name for {@code hashOn} HEADER, COOKIE or
   *     QUERY_PARAMETER; null otherwise
   * @param affinityCookie the cookie the proxy issues for {@link Policy#COOKIE_AFFINITY}; null
   *     otherwise
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record LoadBalancer(Policy policy, HashOn hashOn, String hashKey, AffinityCookie affinityCookie) {
    public static final LoadBalancer ROUND_ROBIN = new LoadBalancer(Policy.ROUND_ROBIN, null, null, null);

    public LoadBalancer {
      java.util.Objects.requireNonNull(policy, "load balancer policy");
      if ((policy == Policy.MAGLEV) != (hashOn != null)) {
        throw new IllegalArgumentException("hashOn is required for MAGLEV and only for it");
      }
      boolean needsKey = hashOn != null && hashOn != HashOn.CLIENT_ADDRESS;
      if (needsKey != (hashKey != null && !hashKey.isBlank())) {
        throw new IllegalArgumentException("hashKey is required for hashOn " + hashOn + " and only then");
      }
      if ((policy == Policy.COOKIE_AFFINITY) != (affinityCookie != null)) {
        throw new IllegalArgumentException("affinityCookie is required for COOKIE_AFFINITY and only for it");
      }
    }

    public static LoadBalancer of(Policy policy) {
      return new LoadBalancer(policy, null, null, null);
    }
  }

  public enum Policy {
    /** Smooth weighted round robin (endpoint weights come from slow start). */
    ROUND_ROBIN,
    /** Two random choices, the one with fewer active requests wins. */
    LEAST_REQUEST,
    RANDOM,
    /** Consistent hashing with a Maglev lookup table. */
    MAGLEV,
    /** The first response carries a cookie naming the endpoint; later requests stick to it. */
    COOKIE_AFFINITY
  }

  public enum HashOn { HEADER, COOKIE, QUERY_PARAMETER, CLIENT_ADDRESS }

  /**
   * @param name cookie name
   * @param ttlSeconds Max-Age; 0 means a session cookie
   * @param path cookie Path; null means {@code /}
   * @param sameSite the cookie's SameSite attribute; null for none
   * @param secure when the cookie carries the Secure attribute; null for never
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record AffinityCookie(
      String name, @JsonInclude(JsonInclude.Include.NON_DEFAULT) long ttlSeconds, String path,
      SameSite sameSite, Secure secure) {
    public AffinityCookie {
      Sorted.requireText(name, "affinity cookie name");
      requireNonNegative(ttlSeconds, "affinity cookie ttl");
    }

    /** A cookie without SameSite and Secure. */
    public AffinityCookie(String name, long ttlSeconds, String path) {
      this(name, ttlSeconds, path, null, null);
    }

    /** The same cookie with another Path. */
    public AffinityCookie withPath(String newPath) {
      return new AffinityCookie(name, ttlSeconds, newPath, sameSite, secure);
    }

    /** When the cookie is marked Secure (browsers then send it over https only). */
    public enum Secure {
      /** On every response. */
      ALWAYS,
      /** On responses to requests that came over https (ingress-nginx's default). */
      HTTPS_REQUESTS
    }

    /** The cookie's SameSite attribute (RFC 6265bis), as written in Set-Cookie. */
    public enum SameSite {
      STRICT("Strict"), LAX("Lax"), NONE("None");

      private final String attribute;

      SameSite(String attribute) {
        this.attribute = attribute;
      }

      public String attribute() {
        return attribute;
      }
    }
  }

  /**
   * Active HTTP health checks: a GET of {@code path} on every endpoint every {@code intervalMillis}.
   *
   * @param path request path, starting with {@code /}
   * @param host Host header; null means the endpoint's address
   * @param intervalMillis time between checks of one endpoint
   * @param timeoutMillis a check slower than this fails
   * @param healthyThreshold consecutive successes that make an unhealthy endpoint healthy
   * @param unhealthyThreshold consecutive failures that make a healthy endpoint unhealthy
   * @param expectedStatuses inclusive ranges of statuses that count as success; empty means 200-399
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HealthCheck(
      String path,
      String host,
      long intervalMillis,
      long timeoutMillis,
      int healthyThreshold,
      int unhealthyThreshold,
      List<StatusRange> expectedStatuses) {
    public HealthCheck {
      if (path == null || !path.startsWith("/")) {
        throw new IllegalArgumentException("health check path must start with /: " + path);
      }
      if (intervalMillis <= 0 || timeoutMillis <= 0) {
        throw new IllegalArgumentException("health check interval and timeout must be positive");
      }
      if (healthyThreshold < 1 || unhealthyThreshold < 1) {
        throw new IllegalArgumentException("health check thresholds must be at least 1");
      }
      expectedStatuses = Sorted.copy(expectedStatuses, Comparator.comparingInt(StatusRange::from));
    }

    public boolean expects(int status) {
      if (expectedStatuses.isEmpty()) {
        return status >= 200 && status < 400;
      }
      for (StatusRange r : expectedStatuses) {
        if (status >= r.from() && status <= r.to()) {
          return true;
        }
      }
      return false;
    }
  }

  /** Inclusive range of HTTP statuses. */
  public record StatusRange(int from, int to) {
    public StatusRange {
      if (from < 100 || to > 599 || from > to) {
        throw new IllegalArgumentException("bad status range " + from + "-" + to);
      }
    }
  }

  /**
   * Passive outlier detection: an endpoint is ejected after consecutive failures, for
   * {@code baseEjectionMillis} times the number of times it has been ejected (capped at
   * {@code maxEjectionMillis}); never more than {@code maxEjectionPercent} of a cluster at once.
   *
   * @param consecutive5xx 5xx responses in a row that eject; 0 disables
   * @param consecutiveGatewayFailures connect failures, resets, timeouts, 502/503/504 in a row
   *     that eject; 0 disables
   */
  public record OutlierDetection(
      int consecutive5xx,
      int consecutiveGatewayFailures,
      long baseEjectionMillis,
      long maxEjectionMillis,
      int maxEjectionPercent) {
    /** Connection-level failures only: 5 in a row eject for 30s, growing to 5 min, up to half. */
    public static final OutlierDetection DEFAULT = new OutlierDetection(0, 5, 30_000, 300_000, 50);

    public OutlierDetection {
      if (consecutive5xx < 0 || consecutiveGatewayFailures < 0) {
        throw new IllegalArgumentException("outlier thresholds must not be negative");
      }
      if (baseEjectionMillis <= 0 || maxEjectionMillis < baseEjectionMillis) {
        throw new IllegalArgumentException("ejection times must be positive, max >= base");
      }
      if (maxEjectionPercent < 0 || maxEjectionPercent > 100) {
        throw new IllegalArgumentException("max ejection percent must be 0..100");
      }
    }
  }

  /**
   * Per-cluster limits, per dataplane; beyond one a request gets a fast 503 with
   * {@code x-portcullis-overflow: <limit>}.
   *
   * @param maxConnections open upstream connections
   * @param maxPendingRequests requests waiting for a connection
   * @param maxRequests requests in flight
   * @param retryBudgetPercent retries in flight may be at most this share of requests in flight
   * @param minRetryConcurrency retries always allowed in flight regardless of the budget
   */
  public record CircuitBreakers(
      int maxConnections,
      int maxPendingRequests,
      int maxRequests,
      int retryBudgetPercent,
      int minRetryConcurrency) {
    /** Envoy's defaults for the connection limits, Envoy's retry budget. */
    public static final CircuitBreakers DEFAULT = new CircuitBreakers(1024, 1024, 1024, 20, 3);

    public CircuitBreakers {
      if (maxConnections < 1 || maxPendingRequests < 0 || maxRequests < 1) {
        throw new IllegalArgumentException("circuit breaker limits must be positive");
      }
      if (retryBudgetPercent < 0 || retryBudgetPercent > 100 || minRetryConcurrency < 0) {
        throw new IllegalArgumentException("retry budget must be 0..100%, min concurrency >= 0");
      }
    }
  }
}
