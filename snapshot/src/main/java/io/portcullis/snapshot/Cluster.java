package io.portcullis.snapshot;

import java.util.Comparator;
import java.util.List;

/**
 * A set of interchangeable endpoints: the ready endpoints of one Service port.
 *
 * @param name {@code namespace/service:port}, stable across versions
 * @param endpoints ready endpoints, sorted; empty means requests get 503
 */
public record Cluster(String name, List<Endpoint> endpoints) {
  public Cluster {
    Sorted.requireText(name, "cluster name");
    endpoints =
        Sorted.copy(endpoints, Comparator.comparing(Endpoint::address).thenComparingInt(Endpoint::port));
    Sorted.requireUnique(endpoints, Endpoint::toString, "endpoint in cluster " + name);
  }
}
