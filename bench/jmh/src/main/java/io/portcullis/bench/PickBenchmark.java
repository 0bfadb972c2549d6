package io.portcullis.bench;

import io.portcullis.dataplane.config.ClusterRuntime;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.lb.PickContext;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * The cost of one {@link ClusterRuntime#pick(PickContext)}: filtering plus the policy's choice,
 * at 10, 100 and 1,000 endpoints, all healthy (the steady state). {@code ROUND_ROBIN_RAMPING} is
 * round robin while an endpoint is in slow start (the smooth weighted path), {@code MAGLEV} hashes
 * a header, {@code COOKIE_AFFINITY} carries a valid cookie (the sticky path).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class PickBenchmark {
  @Param({"ROUND_ROBIN", "ROUND_ROBIN_RAMPING", "LEAST_REQUEST", "RANDOM", "MAGLEV", "COOKIE_AFFINITY"})
  public String policy;

  @Param({"10", "100", "1000"})
  public int endpoints;

  private ClusterRuntime cluster;
  private PickContext[] contexts;
  private int next;

  @Setup
  public void setUp() {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < endpoints; i++) {
      list.add(new Endpoint("10.1." + (i / 250) + "." + (1 + i % 250), 8080));
    }
    ClusterPolicy.LoadBalancer lb =
        switch (policy) {
          case "ROUND_ROBIN", "ROUND_ROBIN_RAMPING" -> ClusterPolicy.LoadBalancer.ROUND_ROBIN;
          case "MAGLEV" -> new ClusterPolicy.LoadBalancer(Policy.MAGLEV, ClusterPolicy.HashOn.HEADER, "x-user", null);
          case "COOKIE_AFFINITY" ->
              new ClusterPolicy.LoadBalancer(
                  Policy.COOKIE_AFFINITY, null, null, new ClusterPolicy.AffinityCookie("route", 0, null));
          default -> ClusterPolicy.LoadBalancer.of(Policy.valueOf(policy));
        };
    boolean ramping = policy.equals("ROUND_ROBIN_RAMPING");
    ClusterPolicy clusterPolicy =
        new ClusterPolicy(null, null, lb, ramping ? 3_600_000 : 0, null, null, null, 0, null);
    if (ramping) {
      // The last endpoint joins an existing cluster: it ramps up for an hour, longer than any run.
      cluster = new ClusterRuntime(new Cluster("bench", list.subList(0, endpoints - 1), clusterPolicy));
      cluster.updateEndpoints(new Cluster("bench", list, clusterPolicy));
    } else {
      cluster = new ClusterRuntime(new Cluster("bench", list, clusterPolicy));
    }
    contexts = new PickContext[1024];
    List<UpstreamEndpoint> eps = cluster.endpoints();
    for (int i = 0; i < contexts.length; i++) {
      String user = "user-" + i;
      String cookie = "route=" + eps.get(i % eps.size()).id();
      Map<String, String> headers = Map.of("x-user", user, "cookie", cookie);
      RequestHead head = new RequestHead("http", "bench.example.com", "/", null, "GET", headers::get);
      contexts[i] = new PickContext(head, "192.0.2." + (i % 250), null);
    }
  }

  @Benchmark
  public UpstreamEndpoint pick() {
    PickContext context = contexts[next++ & (contexts.length - 1)];
    return cluster.pick(context);
  }
}
