package io.portcullis.snapshot;

/**
 * A cluster and its relative share of a route's requests.
 *
 * @param cluster the cluster's name
 * @param weight relative weight, 0 to 1,000,000; 0 takes no traffic
 */
public record WeightedBackend(String cluster, int weight) {
  public WeightedBackend {
    Sorted.requireText(cluster, "backend cluster");
    if (weight < 0 || weight > 1_000_000) {
      throw new IllegalArgumentException("weight out of range 0..1000000: " + weight);
    }
  }
}
