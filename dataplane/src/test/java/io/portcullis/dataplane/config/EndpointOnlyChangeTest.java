package io.portcullis.dataplane.config;

import io.portcullis.dataplane.http.RequestHead;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.WeightedBackend;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The cheap path: a change of endpoints only reuses the routing index and the clusters. */
class EndpointOnlyChangeTest {
  private static final List<VirtualHost> HOSTS =
      List.of(
          new VirtualHost(
              "shop.example.com",
              List.of(
                  Route.of("api", RouteMatch.path(new PathMatch.Prefix("/api")), RouteAction.Forward.to("api")),
                  Route.of(
                      "web",
                      RouteMatch.path(new PathMatch.Prefix("/")),
                      new RouteAction.Forward(
                          List.of(new WeightedBackend("web", 3), new WeightedBackend("web-next", 1)),
                          null,
                          0)))));

  private static Snapshot snapshot(List<VirtualHost> hosts, Endpoint... apiEndpoints) {
    return Snapshot.of(
        hosts,
        List.of(
            new Cluster("api", List.of(apiEndpoints)),
            new Cluster("web", List.of(new Endpoint("10.0.1.1", 80))),
            new Cluster("web-next", List.of(new Endpoint("10.0.2.1", 80)))),
        null);
  }

  private static RouteDecision.Forward route(RuntimeConfig config, String path) {
    return assertInstanceOf(
        RouteDecision.Forward.class,
        config.route(new RequestHead("http", "shop.example.com", path, null, "GET", Map.<String, String>of()::get)));
  }

  @Test
  void anEndpointOnlyChangeReusesTheRoutingIndexAndServesTheNewEndpoints() {
    RuntimeConfig first = RuntimeConfig.build(snapshot(HOSTS, new Endpoint("10.0.0.1", 80)), null);
    RuntimeConfig second =
        RuntimeConfig.build(snapshot(HOSTS, new Endpoint("10.0.0.2", 80), new Endpoint("10.0.0.3", 80)), first);
    assertTrue(second.sharesRoutingIndexWith(first));
    assertSame(first.cluster("api"), second.cluster("api"));
    ClusterRuntimeAssert.picksOnly(route(second, "/api/x").cluster(), Set.of("10.0.0.2:80", "10.0.0.3:80"));
  }

  @Test
  void theWeightedSplitKeepsItsPlaceInTheWindowAcrossAnEndpointOnlyChange() {
    RuntimeConfig first = RuntimeConfig.build(snapshot(HOSTS, new Endpoint("10.0.0.1", 80)), null);
    // Two of a window of four (web, web), the swap, two more: the window still comes out 3:1
    // (a rebuilt picker would start over with web, web and starve the canary).
    int next = 0;
    for (int i = 0; i < 2; i++) {
      next += route(first, "/").cluster().name().equals("web-next") ? 1 : 0;
    }
    RuntimeConfig second = RuntimeConfig.build(snapshot(HOSTS, new Endpoint("10.0.0.9", 80)), first);
    for (int i = 0; i < 2; i++) {
      next += route(second, "/").cluster().name().equals("web-next") ? 1 : 0;
    }
    assertEquals(1, next);
  }

  @Test
  void aRouteChangeRebuildsTheIndex() {
    RuntimeConfig first = RuntimeConfig.build(snapshot(HOSTS, new Endpoint("10.0.0.1", 80)), null);
    List<VirtualHost> other =
        List.of(
            new VirtualHost(
                "shop.example.com",
                List.of(Route.of("api", RouteMatch.path(new PathMatch.Prefix("/v2")), RouteAction.Forward.to("api")))));
    RuntimeConfig second = RuntimeConfig.build(snapshot(other, new Endpoint("10.0.0.1", 80)), first);
    assertFalse(second.sharesRoutingIndexWith(first));
    assertEquals("api", route(second, "/v2").route());
  }

  @Test
  void aPolicyChangeRebuildsTheIndexSoRoutesPointAtTheNewCluster() {
    RuntimeConfig first = RuntimeConfig.build(snapshot(HOSTS, new Endpoint("10.0.0.1", 80)), null);
    Snapshot changed =
        Snapshot.of(
            HOSTS,
            List.of(
                new Cluster(
                    "api",
                    List.of(new Endpoint("10.0.0.1", 80)),
                    new ClusterPolicy(null, null, ClusterPolicy.LoadBalancer.of(ClusterPolicy.Policy.RANDOM), 0, null, null, null, 0, null)),
                new Cluster("web", List.of(new Endpoint("10.0.1.1", 80))),
                new Cluster("web-next", List.of(new Endpoint("10.0.2.1", 80)))),
            null);
    RuntimeConfig second = RuntimeConfig.build(changed, first);
    assertFalse(second.sharesRoutingIndexWith(first));
    assertSame(second.cluster("api"), route(second, "/api").cluster());
    assertEquals(ClusterPolicy.Policy.RANDOM, route(second, "/api").cluster().balancingPolicy());
  }

  /** Small assertion over a cluster's picks. */
  static final class ClusterRuntimeAssert {
    static void picksOnly(ClusterRuntime cluster, Set<String> expected) {
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (int i = 0; i < 20; i++) {
        seen.add(cluster.pick().toString());
      }
      assertEquals(expected, seen);
    }
  }
}
