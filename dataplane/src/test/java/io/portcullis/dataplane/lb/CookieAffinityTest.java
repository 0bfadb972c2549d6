package io.portcullis.dataplane.lb;

import static io.portcullis.dataplane.lb.BalancingFixture.policy;
import static io.portcullis.dataplane.lb.BalancingFixture.withCookie;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.cluster.ClusterRuntime;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.ClusterPolicy.Policy;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CookieAffinityTest {
  private final BalancingFixture fx = new BalancingFixture();

  private ClusterRuntime cluster(ClusterPolicy.AffinityCookie cookie, int n) {
    return fx.cluster(policy(new ClusterPolicy.LoadBalancer(Policy.COOKIE_AFFINITY, null, null, cookie)), n);
  }

  private static String value(String setCookie) {
    return setCookie.substring(setCookie.indexOf('=') + 1, setCookie.indexOf(';'));
  }

  @Test
  void aFirstRequestGetsACookieNamingItsEndpointWithoutItsAddress() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie("route", 3600, "/shop"), 3);
    PickContext first = withCookie(null);
    UpstreamEndpoint picked = cluster.pick(first);
    String setCookie = cluster.affinityCookie(first, picked);
    assertEquals("route=" + picked.id() + "; Path=/shop; Max-Age=3600; HttpOnly", setCookie);
    assertFalse(setCookie.contains(picked.endpoint().address()));
    assertTrue(picked.id().matches("[0-9a-f]{12}"), picked.id());
  }

  @Test
  void aSessionCookieHasNoMaxAgeAndPathDefaultsToRoot() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie("s", 0, null), 2);
    UpstreamEndpoint picked = cluster.pick(withCookie(null));
    assertEquals("s=" + picked.id() + "; Path=/; HttpOnly", cluster.affinityCookie(withCookie(null), picked));
  }

  @Test
  void sameSiteAndSecureAreWrittenWhenAsked() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie(
        "s", 0, null, ClusterPolicy.AffinityCookie.SameSite.STRICT, ClusterPolicy.AffinityCookie.Secure.ALWAYS), 2);
    UpstreamEndpoint picked = cluster.pick(withCookie(null));
    assertEquals("s=" + picked.id() + "; Path=/; SameSite=Strict; Secure; HttpOnly",
        cluster.affinityCookie(withCookie(null), picked));
  }

  @Test
  void secureForHttpsRequestsFollowsTheRequestScheme() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie(
        "s", 0, null, null, ClusterPolicy.AffinityCookie.Secure.HTTPS_REQUESTS), 2);
    UpstreamEndpoint picked = cluster.pick(withCookie(null));
    assertEquals("s=" + picked.id() + "; Path=/; HttpOnly", cluster.affinityCookie(withCookie(null), picked));
    PickContext https = new PickContext(new io.portcullis.dataplane.http.RequestHead(
        "https", "shop.example.com", "/", null, "GET", name -> null), "192.0.2.7", null);
    assertEquals("s=" + picked.id() + "; Path=/; Secure; HttpOnly", cluster.affinityCookie(https, picked));
  }

  @Test
  void requestsCarryingTheCookieStickToItsEndpointAndGetNoNewCookie() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie("route", 60, null), 5);
    Set<UpstreamEndpoint> firstPicks = new HashSet<>();
    for (int client = 0; client < 5; client++) {
      PickContext first = withCookie("theme=dark");
      UpstreamEndpoint picked = cluster.pick(first);
      firstPicks.add(picked);
      PickContext later = withCookie("theme=dark; route=" + value(cluster.affinityCookie(first, picked)));
      for (int i = 0; i < 20; i++) {
        UpstreamEndpoint again = cluster.pick(later);
        assertEquals(picked, again);
        assertNull(cluster.affinityCookie(later, again));
      }
    }
    assertEquals(5, firstPicks.size(), "new sessions are spread round robin");
  }

  @Test
  void aCookieNamingAnUnavailableEndpointRepicksAndReissues() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie("route", 60, null), 3);
    UpstreamEndpoint home = cluster.endpoints().get(1);
    home.activeHealthy(false);
    PickContext request = withCookie("route=" + home.id());
    UpstreamEndpoint picked = cluster.pick(request);
    assertNotEquals(home, picked);
    assertEquals(picked.id(), value(cluster.affinityCookie(request, picked)));
  }

  @Test
  void aCookieNamingARemovedEndpointRepicksAndReissues() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie("route", 60, null), 3);
    UpstreamEndpoint gone = cluster.endpoints().get(2);
    cluster.updateEndpoints(new Cluster(cluster.name(), BalancingFixture.endpoints(2), cluster.policy()));
    PickContext request = withCookie("route=" + gone.id());
    UpstreamEndpoint picked = cluster.pick(request);
    assertTrue(cluster.endpoints().contains(picked));
    assertEquals(picked.id(), value(cluster.affinityCookie(request, picked)));
  }

  @Test
  void aForgedCookieIsIgnoredAndReplaced() {
    ClusterRuntime cluster = cluster(new ClusterPolicy.AffinityCookie("route", 60, null), 3);
    for (String forged : List.of("route=10.0.0.1", "route=", "route=zzzzzzzzzzzz")) {
      PickContext request = withCookie(forged);
      UpstreamEndpoint picked = cluster.pick(request);
      assertEquals("route=" + picked.id(), cluster.affinityCookie(request, picked).split(";")[0]);
    }
  }

  @Test
  void endpointIdsAreStableAndDistinct() {
    Set<String> ids = new HashSet<>();
    for (var e : BalancingFixture.endpoints(1000)) {
      String id = UpstreamEndpoint.opaqueId(e);
      assertEquals(id, new UpstreamEndpoint(e, 0).id());
      ids.add(id);
    }
    assertEquals(1000, ids.size());
  }
}
