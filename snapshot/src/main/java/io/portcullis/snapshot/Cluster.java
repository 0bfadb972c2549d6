package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.List;

/**
 * A set of interchangeable endpoints: the serving endpoints of one Service port.
 *
 * @param name {@code namespace/service:port}, stable across versions; a Service port used with a
 *     non-default policy gets one cluster per policy, named {@code namespace/service:port/<hash>}
 * @param endpoints serving endpoints (ready, or terminating ones still serving), sorted; empty
 *     means requests get 503
 * @param policy how to balance and reach them; null means {@link ClusterPolicy#DEFAULT}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Cluster(String name, List<Endpoint> endpoints, ClusterPolicy policy) {
  public Cluster {
    Sorted.requireText(name, "cluster name");
    endpoints =
        Sorted.copy(endpoints, Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port));
    Sorted.requireUnique(endpoints, Endpoint::toString, "endpoint in cluster " + name);
    policy = ClusterPolicy.DEFAULT.equals(policy) ? null : policy;
  }

  /** A cluster with the default policy. */
  public Cluster(String name, List<Endpoint> endpoints) {
    this(name, endpoints, null);
  }

  public ClusterPolicy policyOrDefault() {
    return policy == null ? ClusterPolicy.DEFAULT : policy;
  }

  /** The same cluster with other endpoints: the cheap path of an endpoint-only change. */
  public Cluster withEndpoints(List<Endpoint> newEndpoints) {
    return new Cluster(name, newEndpoints, policy);
  }
}
