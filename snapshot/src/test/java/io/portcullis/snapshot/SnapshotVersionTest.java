package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The version is a content hash: same content, same version; any change, a new one. */
class SnapshotVersionTest {

  @Test
  void theSameContentBuiltTwiceHasTheSameVersion() {
    assertEquals(Fixtures.everything().version(), Fixtures.everything().version());
  }

  @Test
  void theOrderClustersAndHostsAreGivenInDoesNotChangeTheVersion() {
    List<Cluster> clusters = new ArrayList<>(Fixtures.everything().clusters());
    List<VirtualHost> hosts = new ArrayList<>(Fixtures.everything().virtualHosts());
    Collections.reverse(clusters);
    Collections.reverse(hosts);
    assertEquals(Fixtures.everything(), Snapshot.of(hosts, clusters, "default/fallback:80"));
  }

  @Test
  void anExtraEndpointChangesTheVersion() {
    Snapshot base = Fixtures.everything();
    List<Cluster> clusters = new ArrayList<>(base.clusters());
    clusters.set(0, new Cluster(clusters.get(0).name(), List.of(new Endpoint("10.9.9.9", 80))));
    assertNotEquals(base.version(),
        Snapshot.of(base.virtualHosts(), clusters, base.defaultCluster()).version());
  }

  @Test
  void aDifferentDefaultClusterChangesTheVersion() {
    Snapshot base = Fixtures.everything();
    assertNotEquals(base.version(),
        Snapshot.of(base.virtualHosts(), base.clusters(), "default/shop:80").version());
  }

  @Test
  void swappingTheOrderOfRoutesChangesTheVersionBecauseOrderIsPriority() {
    VirtualHost host = Fixtures.shopHost();
    List<Route> routes = new ArrayList<>(host.routes());
    Collections.swap(routes, 0, 1);
    Snapshot a = Snapshot.of(List.of(host), List.of(Fixtures.shop(), Fixtures.shopCanary()), null);
    Snapshot b = Snapshot.of(List.of(new VirtualHost(host.host(), routes)),
        List.of(Fixtures.shop(), Fixtures.shopCanary()), null);
    assertNotEquals(a.version(), b.version());
  }

  @Test
  void aChangedHeaderRewriteChangesTheVersion() {
    Route route = new Route("r", RouteMatch.path(new PathMatch.Prefix("/")),
        new RouteAction.DirectResponse(204, ""), new HeaderRewrite(Map.of("x-a", "1"), List.of()),
        null);
    Route other = new Route("r", RouteMatch.path(new PathMatch.Prefix("/")),
        new RouteAction.DirectResponse(204, ""), new HeaderRewrite(Map.of("x-a", "2"), List.of()),
        null);
    assertNotEquals(
        Snapshot.of(List.of(new VirtualHost("a.example", List.of(route))), List.of(), null).version(),
        Snapshot.of(List.of(new VirtualHost("a.example", List.of(other))), List.of(), null).version());
  }

  @Test
  void theEmptySnapshotHasAStableVersion() {
    assertEquals(Snapshot.empty().version(), Snapshot.of(List.of(), List.of(), null).version());
    assertEquals(32, Snapshot.empty().version().length());
  }

  @Test
  void aDecodedSnapshotKeepsTheVersionItWasSentWith() {
    Snapshot snapshot = Fixtures.everything();
    Snapshot decoded = SnapshotCodec.fromJson(SnapshotCodec.toJson(snapshot), Snapshot.class);
    assertEquals(snapshot.version(), decoded.version());
    assertEquals(snapshot.version(),
        Snapshot.of(decoded.virtualHosts(), decoded.clusters(), decoded.defaultCluster()).version());
  }
}
