package io.portcullis.operator.compile;

import io.portcullis.operator.crd.PolicySpec;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.crd.ProxyRouteSpec.Backend;
import io.portcullis.operator.crd.ProxyRouteSpec.RouteSpec;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.AffinityCookie;
import io.portcullis.snapshot.ClusterPolicy.CircuitBreakers;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import io.portcullis.snapshot.ClusterPolicy.HealthCheck;
import io.portcullis.snapshot.ClusterPolicy.LoadBalancer;
import io.portcullis.snapshot.ClusterPolicy.OutlierDetection;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.ClusterPolicy.StatusRange;
import io.portcullis.snapshot.ClusterPolicy.UpstreamTls;
import io.portcullis.snapshot.RetryPolicy;
import io.portcullis.cli.Durations;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Translates a ProxyRoute's cluster settings (load balancer, slow start, health check, outlier
 * detection, circuit breakers, connect timeout, protocol, upstream TLS) and retries into snapshot
 * policies. A backend's own setting replaces the route's setting of the same name as a whole.
 * Every error names the field, so the condition tells the user what to fix.
 */
final class ClusterPolicies {
  static final Map<String, Policy> POLICIES = Map.of(
      "RoundRobin", Policy.ROUND_ROBIN,
      "LeastRequest", Policy.LEAST_REQUEST,
      "Random", Policy.RANDOM,
      "Maglev", Policy.MAGLEV,
      "CookieAffinity", Policy.COOKIE_AFFINITY);

  /** What a route that enables retries without saying {@code on} retries on. */
  static final List<String> DEFAULT_RETRY_ON =
      List.of("connect-failure", "reset", "502", "503", "504");

  static final String DEFAULT_AFFINITY_COOKIE = "portcullis-affinity";
  static final long DEFAULT_HEALTH_INTERVAL_MILLIS = 10_000;
  static final long DEFAULT_HEALTH_TIMEOUT_MILLIS = 2_000;
  static final int DEFAULT_HEALTHY_THRESHOLD = 2;
  static final int DEFAULT_UNHEALTHY_THRESHOLD = 3;

  private final CaBundles caBundles;

  ClusterPolicies(CaBundles caBundles) {
    this.caBundles = caBundles;
  }

  /** The policy of one backend of a route, protocol and TLS aside (see {@link #upstream}). */
  ClusterPolicy policy(RouteSpec route, Backend backend) throws InvalidInputException {
    String where = "backend " + backend.service + ":" + backend.port + ": ";
    boolean own = backend.loadBalancer != null;
    LoadBalancer lb = loadBalancer(own ? backend.loadBalancer : route.loadBalancer,
        own ? where + "loadBalancer" : "loadBalancer");
    own = backend.slowStart != null;
    long slowStart = millis(own ? backend.slowStart : route.slowStart,
        own ? where + "slowStart" : "slowStart", 0);
    own = backend.healthCheck != null;
    HealthCheck health = healthCheck(own ? backend.healthCheck : route.healthCheck,
        own ? where + "healthCheck" : "healthCheck");
    own = backend.outlierDetection != null;
    OutlierDetection outliers = outlierDetection(
        own ? backend.outlierDetection : route.outlierDetection,
        own ? where + "outlierDetection" : "outlierDetection");
    own = backend.circuitBreakers != null;
    CircuitBreakers breakers = circuitBreakers(
        own ? backend.circuitBreakers : route.circuitBreakers,
        own ? where + "circuitBreakers" : "circuitBreakers");
    long connect = millis(route.timeouts == null ? null : route.timeouts.connect, "timeouts.connect", 0);
    return new ClusterPolicy(null, null, lb, slowStart, health, outliers, breakers, connect, null);
  }

  /** The protocol and TLS a backend asks for; the Service port fills in the rest. */
  UpstreamRequest upstream(String namespace, Backend backend) throws InvalidInputException {
    String where = "backend " + backend.service + ":" + backend.port + ": ";
    UpstreamTls tls = null;
    if (backend.tls != null) {
      PolicySpec.BackendTls t = backend.tls;
      boolean skip = Boolean.TRUE.equals(t.insecureSkipVerify);
      if (skip && t.caSecret != null) {
        throw new InvalidInputException(where + "tls.caSecret and tls.insecureSkipVerify exclude each other");
      }
      String ca = null;
      if (t.caSecret != null) {
        try {
          ca = caBundles.pem(namespace, t.caSecret);
        } catch (InvalidInputException e) {
          throw new InvalidInputException(Reasons.INVALID_CA_SECRET,
              where + "tls.caSecret: " + e.getMessage());
        }
      }
      String serverName = t.serverName;
      if (serverName != null) {
        serverName = HostNames.normalize(serverName);
        if (serverName.indexOf('*') >= 0) {
          throw new InvalidInputException(where + "tls.serverName must not be a wildcard");
        }
      }
      tls = new UpstreamTls(serverName, ca, skip);
    }
    try {
      return UpstreamRequest.of(backend.protocol, tls);
    } catch (InvalidInputException e) {
      throw new InvalidInputException(where + e.getMessage());
    }
  }

  /** The route's retry policy, or null for the dataplane default. */
  static RetryPolicy retries(PolicySpec.Retries retries, PolicySpec.Timeouts timeouts)
      throws InvalidInputException {
    long perTry = millis(timeouts == null ? null : timeouts.perTry, "timeouts.perTry", 0);
    if (retries == null) {
      if (perTry == 0) {
        return null;
      }
      RetryPolicy d = RetryPolicy.DEFAULT;
      return new RetryPolicy(d.attempts(), d.on(), d.nonIdempotent(), perTry,
          d.backoffBaseMillis(), d.backoffMaxMillis());
    }
    if (retries.attempts == null || retries.attempts < 0 || retries.attempts > 10) {
      throw new InvalidInputException("retries.attempts must be 0 to 10");
    }
    List<String> on = retries.on == null ? DEFAULT_RETRY_ON : retries.on;
    for (String condition : on) {
      if (condition == null || !RetryPolicy.CONDITIONS.contains(condition)) {
        throw new InvalidInputException("retries.on: unknown condition '"
            + StatusCollector.bounded(String.valueOf(condition)) + "' (one of "
            + String.join(", ", RetryPolicy.CONDITIONS.stream().sorted().toList()) + ")");
      }
    }
    long base = RetryPolicy.DEFAULT.backoffBaseMillis();
    long max = RetryPolicy.DEFAULT.backoffMaxMillis();
    if (retries.backoff != null) {
      base = millis(retries.backoff.base, "retries.backoff.base", base);
      max = millis(retries.backoff.max, "retries.backoff.max", Math.max(max, base));
      if (max < base) {
        throw new InvalidInputException("retries.backoff.max must not be below retries.backoff.base");
      }
    }
    return new RetryPolicy(retries.attempts, on.stream().distinct().toList(),
        Boolean.TRUE.equals(retries.nonIdempotent), perTry, base, max);
  }

  static LoadBalancer loadBalancer(PolicySpec.LoadBalancer spec, String field)
      throws InvalidInputException {
    if (spec == null) {
      return null;
    }
    Policy policy = spec.policy == null ? null : POLICIES.get(spec.policy);
    if (policy == null) {
      throw new InvalidInputException(field + ".policy: unknown policy '"
          + StatusCollector.bounded(String.valueOf(spec.policy))
          + "' (RoundRobin, LeastRequest, Random, Maglev or CookieAffinity)");
    }
    if (policy != Policy.MAGLEV && spec.hashOn != null) {
      throw new InvalidInputException(field + ".hashOn applies only to policy Maglev");
    }
    if (policy != Policy.COOKIE_AFFINITY && spec.cookie != null) {
      throw new InvalidInputException(field + ".cookie applies only to policy CookieAffinity");
    }
    return switch (policy) {
      case MAGLEV -> maglev(spec.hashOn, field);
      case COOKIE_AFFINITY -> new LoadBalancer(policy, null, null, cookie(spec.cookie, field));
      default -> LoadBalancer.of(policy);
    };
  }

  private static LoadBalancer maglev(PolicySpec.HashOn on, String field) throws InvalidInputException {
    if (on == null) {
      throw new InvalidInputException(field + ": policy Maglev needs hashOn "
          + "(header, cookie, queryParameter or clientAddress)");
    }
    int set = (on.header != null ? 1 : 0) + (on.cookie != null ? 1 : 0)
        + (on.queryParameter != null ? 1 : 0) + (Boolean.TRUE.equals(on.clientAddress) ? 1 : 0);
    if (set != 1) {
      throw new InvalidInputException(field + ".hashOn needs exactly one of header, cookie, "
          + "queryParameter or clientAddress: true");
    }
    if (Boolean.TRUE.equals(on.clientAddress)) {
      return new LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, null);
    }
    HashOn kind = on.header != null ? HashOn.HEADER : on.cookie != null ? HashOn.COOKIE : HashOn.QUERY_PARAMETER;
    String key = on.header != null ? on.header : on.cookie != null ? on.cookie : on.queryParameter;
    return maglev(kind, key, field + ".hashOn");
  }

  /** A Maglev balancer on a named key; header names are lower-cased as the router sees them. */
  static LoadBalancer maglev(HashOn kind, String key, String field) throws InvalidInputException {
    if (key == null || key.isBlank() || key.length() > 256 || !key.chars().allMatch(c -> c > 32 && c < 127)) {
      throw new InvalidInputException(field + ": needs a name of printable characters");
    }
    if (kind == HashOn.HEADER) {
      key = key.toLowerCase(java.util.Locale.ROOT);
    }
    return new LoadBalancer(Policy.MAGLEV, kind, key, null);
  }

  private static AffinityCookie cookie(PolicySpec.AffinityCookie c, String field)
      throws InvalidInputException {
    if (c == null) {
      return new AffinityCookie(DEFAULT_AFFINITY_COOKIE, 0, null);
    }
    if (c.name == null || !c.name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}")) {
      throw new InvalidInputException(field + ".cookie.name must be a cookie name (a token)");
    }
    if (c.path != null && !c.path.matches("/[^\\s;,]*")) {
      throw new InvalidInputException(field + ".cookie.path must start with / and hold no ; , or space");
    }
    long ttl = millis(c.ttl, field + ".cookie.ttl", 0) / 1000;
    return new AffinityCookie(c.name, ttl, c.path);
  }

  private static HealthCheck healthCheck(PolicySpec.HealthCheck h, String field)
      throws InvalidInputException {
    if (h == null) {
      return null;
    }
    if (h.path == null || !h.path.matches("/[^\\s?#]*")) {
      throw new InvalidInputException(field + ".path must be an absolute path");
    }
    String host = h.host == null ? null : HostNames.normalize(h.host);
    if (host != null && host.indexOf('*') >= 0) {
      throw new InvalidInputException(field + ".host must not be a wildcard");
    }
    long interval = millis(h.interval, field + ".interval", DEFAULT_HEALTH_INTERVAL_MILLIS);
    long timeout = millis(h.timeout, field + ".timeout", DEFAULT_HEALTH_TIMEOUT_MILLIS);
    if (interval <= 0 || timeout <= 0) {
      throw new InvalidInputException(field + ": interval and timeout must be above 0");
    }
    int healthy = threshold(h.healthyThreshold, DEFAULT_HEALTHY_THRESHOLD, field + ".healthyThreshold");
    int unhealthy = threshold(h.unhealthyThreshold, DEFAULT_UNHEALTHY_THRESHOLD, field + ".unhealthyThreshold");
    List<StatusRange> ranges = new ArrayList<>();
    if (h.expectedStatuses != null) {
      for (String s : h.expectedStatuses) {
        ranges.add(statusRange(s, field + ".expectedStatuses"));
      }
    }
    return new HealthCheck(h.path, host, interval, timeout, healthy, unhealthy, ranges);
  }

  static StatusRange statusRange(String text, String field) throws InvalidInputException {
    if (text == null || !text.matches("\\d{3}(-\\d{3})?")) {
      throw new InvalidInputException(field + ": '" + StatusCollector.bounded(String.valueOf(text))
          + "' is not a status or a range such as 200-299");
    }
    int dash = text.indexOf('-');
    int from = Integer.parseInt(dash < 0 ? text : text.substring(0, dash));
    int to = dash < 0 ? from : Integer.parseInt(text.substring(dash + 1));
    try {
      return new StatusRange(from, to);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage() + " (statuses are 100 to 599, from <= to)");
    }
  }

  private static int threshold(Integer value, int fallback, String field) throws InvalidInputException {
    if (value == null) {
      return fallback;
    }
    if (value < 1 || value > 100) {
      throw new InvalidInputException(field + " must be 1 to 100");
    }
    return value;
  }

  private static OutlierDetection outlierDetection(PolicySpec.OutlierDetection o, String field)
      throws InvalidInputException {
    if (o == null) {
      return null;
    }
    OutlierDetection d = OutlierDetection.DEFAULT;
    int fiveXx = nonNegative(o.consecutive5xx, d.consecutive5xx(), field + ".consecutive5xx");
    int gateway = nonNegative(o.consecutiveGatewayFailures, d.consecutiveGatewayFailures(),
        field + ".consecutiveGatewayFailures");
    long base = millis(o.baseEjectionTime, field + ".baseEjectionTime", d.baseEjectionMillis());
    long max = millis(o.maxEjectionTime, field + ".maxEjectionTime", Math.max(d.maxEjectionMillis(), base));
    int percent = percent(o.maxEjectionPercent, d.maxEjectionPercent(), field + ".maxEjectionPercent");
    if (base <= 0) {
      throw new InvalidInputException(field + ".baseEjectionTime must be above 0");
    }
    if (max < base) {
      throw new InvalidInputException(field + ".maxEjectionTime must not be below baseEjectionTime");
    }
    return new OutlierDetection(fiveXx, gateway, base, max, percent);
  }

  private static CircuitBreakers circuitBreakers(PolicySpec.CircuitBreakers c, String field)
      throws InvalidInputException {
    if (c == null) {
      return null;
    }
    CircuitBreakers d = CircuitBreakers.DEFAULT;
    int connections = positive(c.maxConnections, d.maxConnections(), field + ".maxConnections");
    int pending = nonNegative(c.maxPendingRequests, d.maxPendingRequests(), field + ".maxPendingRequests");
    int requests = positive(c.maxRequests, d.maxRequests(), field + ".maxRequests");
    int budget = percent(c.retryBudgetPercent, d.retryBudgetPercent(), field + ".retryBudgetPercent");
    int minRetries = nonNegative(c.minRetryConcurrency, d.minRetryConcurrency(), field + ".minRetryConcurrency");
    return new CircuitBreakers(connections, pending, requests, budget, minRetries);
  }

  private static int positive(Integer value, int fallback, String field) throws InvalidInputException {
    if (value != null && value < 1) {
      throw new InvalidInputException(field + " must be at least 1");
    }
    return value == null ? fallback : value;
  }

  private static int nonNegative(Integer value, int fallback, String field) throws InvalidInputException {
    if (value != null && value < 0) {
      throw new InvalidInputException(field + " must not be negative");
    }
    return value == null ? fallback : value;
  }

  private static int percent(Integer value, int fallback, String field) throws InvalidInputException {
    if (value != null && (value < 0 || value > 100)) {
      throw new InvalidInputException(field + " must be 0 to 100");
    }
    return value == null ? fallback : value;
  }

  /** A duration field in milliseconds, {@code fallback} when absent. */
  static long millis(String duration, String field, long fallback) throws InvalidInputException {
    if (duration == null) {
      return fallback;
    }
    try {
      return Durations.parse(duration).toMillis();
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": '" + StatusCollector.bounded(duration) + "' is not a duration ("
          + e.getMessage() + ")");
    }
  }
}
