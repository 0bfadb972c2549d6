package io.portcullis.operator.stream;

import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.List;

/** Small snapshots for stream tests: one host routing {@code /} to cluster {@code shop}. */
final class Snapshots {
  private Snapshots() {}

  /** {@code shop.example.com} forwards to cluster {@code default/shop:80} with these endpoint ports. */
  static Snapshot shop(int... endpointPorts) {
    return withClusters(List.of(cluster("default/shop:80", endpointPorts)), "shop.example.com");
  }

  /** Like {@link #shop} with a second host, so the change is more than endpoints. */
  static Snapshot shopAndApi(int... endpointPorts) {
    List<Cluster> clusters = List.of(cluster("default/shop:80", endpointPorts));
    return Snapshot.of(
        List.of(host("shop.example.com", "default/shop:80"), host("api.example.com", "default/shop:80")),
        clusters, null);
  }

  /** A snapshot with one cluster named {@code name} (tests make dataplanes reject some names). */
  static Snapshot withCluster(String name) {
    return withClusters(List.of(cluster(name, 8080)), "shop.example.com");
  }

  /** A snapshot of about {@code bytes} bytes of JSON: many endpoints in one cluster. */
  static Snapshot large(int bytes) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int i = 0; endpoints.size() * 24 < bytes; i++) {
      endpoints.add(new Endpoint("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255), 8080));
    }
    return withClusters(List.of(new Cluster("default/big:80", endpoints)), "big.example.com");
  }

  static Cluster cluster(String name, int... ports) {
    List<Endpoint> endpoints = new ArrayList<>();
    for (int port : ports) {
      endpoints.add(new Endpoint("10.0.0.1", port));
    }
    return new Cluster(name, endpoints);
  }

  private static Snapshot withClusters(List<Cluster> clusters, String host) {
    return Snapshot.of(List.of(host(host, clusters.get(0).name())), clusters, null);
  }

  private static VirtualHost host(String host, String cluster) {
    return new VirtualHost(host, List.of(Route.of(
        "route/" + host, RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to(cluster))));
  }
}
