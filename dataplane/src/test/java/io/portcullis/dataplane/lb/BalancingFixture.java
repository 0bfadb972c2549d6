package io.portcullis.dataplane.lb;

import io.portcullis.dataplane.config.ClusterRuntime;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;

/** A cluster on a test clock and a seeded random generator, and small request helpers. */
final class BalancingFixture {
  final AtomicLong clock = new AtomicLong(1_000_000_000L);
  final RandomGenerator random = new SplittableRandom(42);

  ClusterRuntime cluster(ClusterPolicy policy, int endpoints) {
    return cluster(policy, endpoints(endpoints));
  }

  ClusterRuntime cluster(ClusterPolicy policy, List<Endpoint> endpoints) {
    return new ClusterRuntime(new Cluster("ns/svc:80", endpoints, policy), clock::get, () -> random);
  }

  static List<Endpoint> endpoints(int n) {
    List<Endpoint> list = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      list.add(endpoint(i));
    }
    return list;
  }

  static Endpoint endpoint(int i) {
    return new Endpoint("10.0." + (i / 250) + "." + (1 + i % 250), 8080);
  }

  static ClusterPolicy policy(ClusterPolicy.LoadBalancer lb) {
    return new ClusterPolicy(null, null, lb, 0, null, null, null, 0, null);
  }

  static ClusterPolicy policy(ClusterPolicy.Policy p) {
    return policy(ClusterPolicy.LoadBalancer.of(p));
  }

  static PickContext request(Map<String, String> headers, String query, String clientAddress) {
    Map<String, String> lower = new HashMap<>();
    headers.forEach((k, v) -> lower.put(k.toLowerCase(), v));
    RequestHead head = new RequestHead("http", "shop.example.com", "/", query, "GET", lower::get);
    return new PickContext(head, clientAddress, null);
  }

  static PickContext withCookie(String cookieHeader) {
    return request(cookieHeader == null ? Map.of() : Map.of("cookie", cookieHeader), null, "192.0.2.7");
  }

  /** Picks {@code n} times and counts picks per endpoint (endpoints never picked are absent). */
  static Map<UpstreamEndpoint, Integer> count(ClusterRuntime cluster, int n, PickContext context) {
    Map<UpstreamEndpoint, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(cluster.pick(context), 1, Integer::sum);
    }
    return counts;
  }
}
