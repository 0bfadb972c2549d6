package io.portcullis.dataplane.health;

import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.snapshot.ClusterPolicy;
import java.util.List;

/**
 * What health checking reads of a cluster in service. The cluster runtime sits above this package
 * and implements it, so health checks never import the config they follow.
 */
public interface CheckedCluster {
  String name();

  ClusterPolicy policy();

  /** The current endpoints; an endpoint object lives exactly as long as it is in the cluster. */
  List<UpstreamEndpoint> endpoints();
}
