package io.portcullis.dataplane.lb;

import static io.portcullis.dataplane.lb.BalancingFixture.policy;
import static io.portcullis.dataplane.lb.BalancingFixture.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.HashOn;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MaglevBalancerTest {
  private static final int KEYS = 10_000;
  private final BalancingFixture fx = new BalancingFixture();

  private static ClusterPolicy onHeader() {
    return policy(new ClusterPolicy.LoadBalancer(Policy.MAGLEV, HashOn.HEADER, "X-User", null));
  }

  private static PickContext user(int i) {
    return request(Map.of("x-user", "user-" + i), null, "192.0.2.1");
  }

  /** Where each key lands, by endpoint address. */
  private static Map<Integer, Endpoint> placement(ClusterRuntime cluster) {
    Map<Integer, Endpoint> result = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      result.put(i, cluster.pick(user(i)).endpoint());
    }
    return result;
  }

  @Test
  void theSameKeyLandsOnTheSameEndpointEveryTimeAndOnEveryRebuild() {
    ClusterRuntime one = fx.cluster(onHeader(), 10);
    Map<Integer, Endpoint> first = placement(one);
    assertEquals(first, placement(one));
    // Another dataplane (or a restart) builds the table from the same set in another order.
    List<Endpoint> reversed = new ArrayList<>(BalancingFixture.endpoints(10));
    java.util.Collections.reverse(reversed);
    ClusterRuntime other = fx.cluster(onHeader(), reversed);
    assertEquals(first, placement(other));
  }

  @Test
  void keysSpreadOverAllEndpointsNearlyEvenly() {
    ClusterRuntime cluster = fx.cluster(onHeader(), 10);
    Map<Endpoint, Integer> perEndpoint = new HashMap<>();
    placement(cluster).values().forEach(e -> perEndpoint.merge(e, 1, Integer::sum));
    assertEquals(10, perEndpoint.size());
    perEndpoint.values().forEach(n -> BalancerPoliciesTest.assertWithin(KEYS / 10, 200, n));
  }

  @Test
  void removingOneOfTenEndpointsRemapsAboutATenthOfTheKeys() {
    ClusterRuntime cluster = fx.cluster(onHeader(), 10);
    Map<Integer, Endpoint> before = placement(cluster);
    Endpoint removed = BalancingFixture.endpoint(3);
    List<Endpoint> nine = new ArrayList<>(BalancingFixture.endpoints(10));
    nine.remove(removed);
    cluster.updateEndpoints(new Cluster(cluster.name(), nine, cluster.policy()));
    Map<Integer, Endpoint> after = placement(cluster);
    int moved = 0;
    int movedFromSurvivors = 0;
    for (int i = 0; i < KEYS; i++) {
      if (!before.get(i).equals(after.get(i))) {
        moved++;
        if (!before.get(i).equals(removed)) {
          movedFromSurvivors++;
        }
      }
    }
    assertTrue(moved <= KEYS / 10 + KEYS * 3 / 100, "moved " + moved + " of " + KEYS);
    assertTrue(movedFromSurvivors <= KEYS * 3 / 100, "survivors' keys moved: " + movedFromSurvivors);
  }

  @Test
  void keysOfAnUnhealthyEndpointMoveAndEveryOtherKeyStays() {
    ClusterRuntime cluster = fx.cluster(onHeader(), 10);
    Map<Integer, Endpoint> before = placement(cluster);
    UpstreamEndpoint sick = cluster.endpoints().get(5);
    sick.activeHealthy(false);
    Map<Integer, Endpoint> after = placement(cluster);
    for (int i = 0; i < KEYS; i++) {
      if (before.get(i).equals(sick.endpoint())) {
        assertNotEquals(sick.endpoint(), after.get(i));
      } else {
        assertEquals(before.get(i), after.get(i), "key " + i);
      }
    }
    sick.activeHealthy(true);
    assertEquals(before, placement(cluster));
  }

  @Test
  void aRequestWithoutTheKeyStillGetsAnEndpoint() {
    ClusterRuntime cluster = fx.cluster(onHeader(), 5);
    Set<UpstreamEndpoint> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      seen.add(cluster.pick(request(Map.of(), null, "192.0.2.1")));
    }
    assertEquals(5, seen.size(), "keyless requests spread at random");
  }

  @Test
  void theKeyComesFromTheNamedCookieQueryParameterOrClientAddress() {
    ClusterRuntime byCookie =
        fx.cluster(policy(new ClusterPolicy.LoadBalancer(Policy.MAGLEV, HashOn.COOKIE, "sid", null)), 20);
    ClusterRuntime byQuery =
        fx.cluster(policy(new ClusterPolicy.LoadBalancer(Policy.MAGLEV, HashOn.QUERY_PARAMETER, "tenant", null)), 20);
    ClusterRuntime byClient =
        fx.cluster(policy(new ClusterPolicy.LoadBalancer(Policy.MAGLEV, HashOn.CLIENT_ADDRESS, null, null)), 20);
    for (int i = 0; i < 50; i++) {
      String v = "v" + i;
      UpstreamEndpoint c = byCookie.pick(request(Map.of("cookie", "a=1; sid=" + v + "; b=2"), null, "192.0.2.1"));
      assertEquals(c, byCookie.pick(request(Map.of("cookie", "sid=" + v), "x=1", "192.0.2.99")));
      UpstreamEndpoint q = byQuery.pick(request(Map.of(), "x=1&tenant=" + v, "192.0.2.1"));
      assertEquals(q, byQuery.pick(request(Map.of("cookie", "sid=zz"), "tenant=" + v + "&y", "192.0.2.2")));
      String ip = "198.51.100." + i;
      UpstreamEndpoint a = byClient.pick(request(Map.of(), null, ip));
      assertEquals(a, byClient.pick(request(Map.of("x-user", "other"), "q=2", ip)));
    }
    // And the value decides: 50 different keys do not all land on one of 20 endpoints.
    Set<UpstreamEndpoint> spread = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      spread.add(byClient.pick(request(Map.of(), null, "198.51.100." + i)));
    }
    assertTrue(spread.size() > 10, "spread " + spread.size());
  }

  @Test
  void theHashKeyExtractorsReadExactlyTheNamedPart() {
    assertEquals("42", HashKeys.queryParameter("tenantx=1&tenant=42&tenant=43", "tenant"));
    assertEquals("", HashKeys.queryParameter("a=1&flag", "flag"));
    assertEquals(null, HashKeys.queryParameter("flagged=1", "flag"));
    PickContext ctx = request(Map.of("cookie", "sidx=1; sid=\"abc\"; z=2"), null, null);
    assertEquals("abc", HashKeys.cookie(ctx.request(), "sid"));
    assertEquals(null, HashKeys.cookie(ctx.request(), "si"));
  }
}
