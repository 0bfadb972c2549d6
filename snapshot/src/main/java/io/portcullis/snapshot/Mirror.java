package io.portcullis.snapshot;

/**
 * Copies of a route's requests sent to a shadow cluster; its responses are discarded and its
 * failures never affect the client.
 *
 * @param cluster the shadow cluster's name
 * @param percent share of requests mirrored, 1..100
 */
public record Mirror(String cluster, int percent) {
  public Mirror {
    Sorted.requireText(cluster, "mirror cluster");
    if (percent < 1 || percent > 100) {
      throw new IllegalArgumentException("mirror percent must be 1..100: " + percent);
    }
  }
}
