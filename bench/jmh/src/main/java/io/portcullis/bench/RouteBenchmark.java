package io.portcullis.bench;

import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.http.RequestHead;
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
import java.util.Map;
import java.util.SplittableRandom;
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
 * The per-request routing cost ({@link RuntimeConfig#route}: host normalisation, the virtual host
 * lookup, path normalisation and the match within the host) at 10 and at 10,000 virtual hosts. The
 * design says it must not grow with the number of routes: the router is indexed by host, then by
 * path. Each host has four routes (prefix {@code /}, prefix {@code /api}, exact {@code /login},
 * prefix {@code /static/assets}) and its own cluster; one wildcard host {@code *.wild.example.com}
 * rides along. Requests are spread over every host, in mixed case, some with a port, some to the
 * wildcard, some to an unknown host (404), over five paths.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteBenchmark {
  @Param({"10", "10000"})
  public int hosts;

  private static final String[] PATHS = {
    "/", "/api/users/42", "/login", "/static/assets/app.js", "/missing/page"
  };

  private RuntimeConfig config;
  private RequestHead[] requests;
  private int next;

  @Setup
  public void setUp() {
    List<VirtualHost> vhosts = new ArrayList<>(hosts + 1);
    List<Cluster> clusters = new ArrayList<>(hosts + 1);
    for (int i = 0; i < hosts; i++) {
      String cluster = "ns-" + i + "/app:80";
      clusters.add(new Cluster(cluster, List.of(new Endpoint("10.2." + (i / 250) + "." + (1 + i % 250), 8080))));
      vhosts.add(new VirtualHost("app-" + i + ".example.com", routes("h" + i, cluster)));
    }
    clusters.add(new Cluster("wild/app:80", List.of(new Endpoint("10.3.0.1", 8080))));
    vhosts.add(new VirtualHost("*.wild.example.com", routes("wild", "wild/app:80")));
    config = RuntimeConfig.build(Snapshot.of(vhosts, clusters, null), null);

    SplittableRandom random = new SplittableRandom(42);
    requests = new RequestHead[1024];
    Map<String, String> headers = Map.of("user-agent", "bench", "accept", "*/*");
    for (int i = 0; i < requests.length; i++) {
      int kind = random.nextInt(20);
      String host;
      if (kind == 0) {
        host = "tenant-" + i + ".wild.example.com";
      } else if (kind == 1) {
        host = "nobody-" + i + ".example.org";
      } else {
        int h = random.nextInt(hosts);
        host = kind < 5 ? "App-" + h + ".Example.com:8080" : "app-" + h + ".example.com";
      }
      String path = PATHS[random.nextInt(PATHS.length)];
      requests[i] = new RequestHead("http", host, path, null, "GET", headers::get);
    }
  }

  private static List<Route> routes(String prefix, String cluster) {
    RouteAction forward = RouteAction.Forward.to(cluster);
    return List.of(
        Route.of(prefix + "-static", RouteMatch.path(new PathMatch.Prefix("/static/assets")), forward),
        Route.of(prefix + "-login", RouteMatch.path(new PathMatch.Exact("/login")), forward),
        Route.of(prefix + "-api", RouteMatch.path(new PathMatch.Prefix("/api")), forward),
        Route.of(prefix + "-root", RouteMatch.path(new PathMatch.Prefix("/")), forward));
  }

  @Benchmark
  public RouteDecision route() {
    return config.route(requests[next++ & (requests.length - 1)]);
  }
}
