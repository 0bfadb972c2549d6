package io.portcullis.dataplane.config;

import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cluster as the proxy uses it: its endpoints and the balancer that picks among them.
 * One instance per cluster per applied config; an unchanged cluster keeps its instance across
 * config versions so round-robin state carries over.
 */
public final class ClusterRuntime {
  private final Cluster cluster;
  private final AtomicLong next = new AtomicLong();

  public ClusterRuntime(Cluster cluster) {
    this.cluster = cluster;
  }

  public String name() {
    return cluster.name();
  }

  public List<Endpoint> endpoints() {
    return cluster.endpoints();
  }

  public Cluster cluster() {
    return cluster;
  }

  /** The next endpoint in round-robin order, or null when the cluster has none (503). */
  public Endpoint pick() {
    List<Endpoint> endpoints = cluster.endpoints();
    if (endpoints.isEmpty()) {
      return null;
    }
    return endpoints.get((int) Math.floorMod(next.getAndIncrement(), (long) endpoints.size()));
  }
}
