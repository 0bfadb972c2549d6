package io.portcullis.bench;

import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What a dataplane spends on the snapshot side of a one-object change (issue 18): applying a
 * one-host delta (patch, validation, version) and a one-cluster delta (an endpoint change), at
 * {@code hosts} virtual hosts with two routes and a cluster each. Each call applies the next delta
 * of a two-step cycle (A to B, B to A) to what the previous call produced, as a dataplane applies
 * deltas to its own last result. {@code validateWhole} is the cost of validating a whole snapshot
 * of that size, what every change paid before validation became incremental.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class SnapshotChangeBenchmark {
  @Param({"10000"})
  public int hosts;

  private Snapshot current;
  private Delta[] hostDeltas;
  private Delta[] clusterDeltas;
  private int next;

  @Setup
  public void setUp() {
    List<VirtualHost> vhosts = new ArrayList<>(hosts);
    List<Cluster> clusters = new ArrayList<>(hosts);
    for (int i = 0; i < hosts; i++) {
      String cluster = "ns-" + i / 100 + "/app-" + i + ":80";
      clusters.add(new Cluster(cluster, List.of(new Endpoint("10.2." + (i / 250) + "." + (1 + i % 250), 8080))));
      vhosts.add(host(i, "/api", cluster));
    }
    Snapshot a = Snapshot.of(vhosts, clusters, null);
    int changed = hosts / 2;
    String cluster = clusters.get(changed).name();
    List<VirtualHost> otherHosts = new ArrayList<>(a.virtualHosts());
    otherHosts.replaceAll(v -> v == vhosts.get(changed) ? host(changed, "/v2", cluster) : v);
    Snapshot b = Snapshot.of(otherHosts, a.clusters(), null);
    hostDeltas = new Delta[] {Delta.between(a, b), Delta.between(b, a)};
    List<Cluster> otherClusters = new ArrayList<>(a.clusters());
    otherClusters.replaceAll(c -> c.name().equals(cluster)
        ? new Cluster(cluster, List.of(new Endpoint("10.9.9.9", 8080))) : c);
    Snapshot c = Snapshot.of(a.virtualHosts(), otherClusters, null);
    clusterDeltas = new Delta[] {Delta.between(a, c), Delta.between(c, a)};
    current = a;
  }

  private static VirtualHost host(int i, String path, String cluster) {
    RouteAction forward = RouteAction.Forward.to(cluster);
    String name = "ingress/ns-" + i / 100 + "/app-" + i + "/r0/";
    return new VirtualHost("app-" + i + ".example.com", List.of(
        Route.of(name + "p0", RouteMatch.path(new PathMatch.Exact(path)), forward),
        Route.of(name + "p1", RouteMatch.path(new PathMatch.Prefix("/")), forward)));
  }

  @Benchmark
  public Snapshot applyOneHost() {
    current = hostDeltas[next++ & 1].applyTo(current);
    return current;
  }

  @Benchmark
  public Snapshot applyOneCluster() {
    current = clusterDeltas[next++ & 1].applyTo(current);
    return current;
  }

  @Benchmark
  public Snapshot validateWhole() {
    // Plain lists: the snapshot's own would be recognised as validated already.
    return new Snapshot(current.version(), new ArrayList<>(current.virtualHosts()),
        new ArrayList<>(current.clusters()), null);
  }
}
