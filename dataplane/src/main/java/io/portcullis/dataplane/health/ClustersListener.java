package io.portcullis.dataplane.health;

import java.util.List;

/**
 * Hears the clusters in service after every config change. Whoever owns the live config feeds
 * its listeners; {@link HealthCheckService} is one. Must not block: it is called on the thread
 * that applied the config.
 */
@FunctionalInterface
public interface ClustersListener {
  void clustersChanged(List<? extends CheckedCluster> clusters);
}
