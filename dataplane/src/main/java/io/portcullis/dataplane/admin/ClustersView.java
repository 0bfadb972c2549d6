package io.portcullis.dataplane.admin;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.health.EndpointState;
import io.portcullis.dataplane.health.HealthCheckService;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.snapshot.ClusterPolicy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The body of {@code /clusters}: every cluster of the applied config with its policy and each
 * endpoint's state and counters, as JSON. Answers "why does this backend get no traffic?".
 */
public final class ClustersView {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final LiveConfig config;
  private final HealthCheckService health;

  /** @param health the health checker whose counts to show, or null */
  public ClustersView(LiveConfig config, HealthCheckService health) {
    this.config = config;
    this.health = health;
  }

  /** The document; {@code clusters} is empty before the first snapshot. */
  public byte[] json() {
    RuntimeConfig current = config.current();
    List<ClusterJson> clusters = new ArrayList<>();
    String version = null;
    if (current != null) {
      version = current.version();
      long now = System.nanoTime();
      for (ClusterRuntime c : current.clusters()) {
        clusters.add(cluster(c, now));
      }
    }
    try {
      return JSON.writeValueAsBytes(new Document(version, clusters));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write /clusters", e);
    }
  }

  private ClusterJson cluster(ClusterRuntime c, long now) {
    ClusterPolicy p = c.policy();
    List<EndpointJson> endpoints = new ArrayList<>();
    for (UpstreamEndpoint e : c.endpoints()) {
      endpoints.add(
          new EndpointJson(
              e.toString(),
              EndpointState.of(e, now).label(),
              e.activeHealthy(),
              e.ejected(now) ? TimeUnit.NANOSECONDS.toMillis(e.ejectedUntilNanos() - now) : null,
              e.terminating(),
              e.activeRequests(),
              e.requests(),
              e.failures(),
              e.ejections(),
              c.outliers().consecutiveFailures(e),
              health == null || p.healthCheck() == null ? null : health.checks(e),
              health == null || p.healthCheck() == null ? null : health.checkFailures(e)));
    }
    return new ClusterJson(
        c.name(),
        new PolicyJson(
            p.protocolOrDefault().name(),
            p.loadBalancerOrDefault(),
            p.healthCheck(),
            p.outlierDetectionOrDefault(),
            p.panicThresholdPercentOrDefault()),
        c.outliers().requests(),
        c.outliers().failures(),
        circuitBreakers(c),
        endpoints);
  }

  /** Each circuit breaker by its {@code x-portcullis-overflow} name: slots in use, maximum, full. */
  private static Map<String, CircuitBreakerJson> circuitBreakers(ClusterRuntime c) {
    Map<String, CircuitBreakerJson> out = new LinkedHashMap<>();
    for (Overflow limit : Overflow.values()) {
      out.put(
          limit.value(),
          new CircuitBreakerJson(c.limits().inUse(limit), c.limits().max(limit), c.limits().open(limit)));
    }
    return out;
  }

  record Document(String version, List<ClusterJson> clusters) {}

  record ClusterJson(
      String name,
      PolicyJson policy,
      long requests,
      long failures,
      Map<String, CircuitBreakerJson> circuitBreakers,
      List<EndpointJson> endpoints) {}

  record CircuitBreakerJson(int inUse, int max, boolean open) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record PolicyJson(
      String protocol,
      ClusterPolicy.LoadBalancer loadBalancer,
      ClusterPolicy.HealthCheck healthCheck,
      ClusterPolicy.OutlierDetection outlierDetection,
      int panicThresholdPercent) {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record EndpointJson(
      String address,
      String health,
      boolean activeHealthy,
      Long ejectedForMillis,
      boolean terminating,
      int activeRequests,
      long requests,
      long failures,
      int ejections,
      int consecutiveFailures,
      Long healthChecks,
      Long healthCheckFailures) {}
}
