package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class DeltaTest {

  @Test
  void applyingTheDeltaBetweenTwoSnapshotsGivesTheSecond() {
    Snapshot from = Fixtures.everything();
    Snapshot to = Fixtures.changed();
    assertEquals(to, Delta.between(from, to).applyTo(from));
    assertEquals(from, Delta.between(to, from).applyTo(to));
  }

  @Test
  void aDeltaToAnEmptySnapshotRemovesEverything() {
    Snapshot from = Fixtures.everything();
    Delta delta = Delta.between(from, Snapshot.empty());
    assertEquals(Snapshot.empty(), delta.applyTo(from));
    assertEquals(List.of("default/fallback:80", "default/shop-canary:80", "default/shop:80"),
        delta.removeClusters());
  }

  @Test
  void aDeltaBetweenEqualSnapshotsIsEmpty() {
    Delta delta = Delta.between(Fixtures.everything(), Fixtures.everything());
    assertTrue(delta.upsertClusters().isEmpty());
    assertTrue(delta.upsertVirtualHosts().isEmpty());
    assertTrue(delta.removeClusters().isEmpty());
    assertTrue(delta.removeVirtualHosts().isEmpty());
  }

  @Test
  void anEndpointChangeCarriesOnlyThatCluster() {
    Snapshot from = Fixtures.everything();
    List<Cluster> clusters = new java.util.ArrayList<>(from.clusters());
    Cluster shop = new Cluster("default/shop:80", List.of(new Endpoint("10.0.0.7", 8080)));
    clusters.replaceAll(c -> c.name().equals(shop.name()) ? shop : c);
    Snapshot to = Snapshot.of(from.virtualHosts(), clusters, from.defaultCluster());

    Delta delta = Delta.between(from, to);
    assertTrue(delta.isEndpointOnly());
    assertEquals(List.of(shop), delta.upsertClusters());
    assertEquals(List.of("cluster/default/shop:80"), delta.resourceNames());
    assertEquals(to, delta.applyTo(from));
  }

  @Test
  void aRouteChangeIsNotEndpointOnly() {
    Delta delta = Delta.between(Fixtures.everything(), Fixtures.changed());
    assertFalse(delta.isEndpointOnly());
    assertEquals(List.of("shop.example.com"),
        delta.upsertVirtualHosts().stream().map(VirtualHost::host).toList());
    assertEquals(List.of("*.example.com"), delta.removeVirtualHosts());
  }

  @Test
  void aDeltaRefusesTheWrongBase() {
    Delta delta = Delta.between(Fixtures.everything(), Fixtures.changed());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> delta.applyTo(Snapshot.empty()));
    assertTrue(e.getMessage().contains("based on"));
  }

  @Test
  void aDeltaWhoseResultDoesNotHashToItsVersionIsRefused() {
    Snapshot from = Fixtures.everything();
    Delta good = Delta.between(from, Fixtures.changed());
    Delta tampered = new Delta(good.baseVersion(), good.version(), List.of(), good.upsertVirtualHosts(),
        good.removeClusters(), good.removeVirtualHosts(), good.defaultCluster());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> tampered.applyTo(from));
    assertTrue(e.getMessage().contains("hashes to"));
  }

  @Test
  void aDeltaThatWouldLeaveARouteWithoutItsClusterIsRefused() {
    Snapshot from = Fixtures.everything();
    Delta good = Delta.between(from, Fixtures.changed());
    Delta breaking = new Delta(good.baseVersion(), good.version(), good.upsertClusters(),
        good.upsertVirtualHosts(), List.of("default/shop:80"), good.removeVirtualHosts(),
        good.defaultCluster());
    assertThrows(IllegalArgumentException.class, () -> breaking.applyTo(from));
  }

  @Test
  void aDeltaSurvivesTheWire() {
    Delta delta = Delta.between(Fixtures.everything(), Fixtures.changed());
    Delta decoded = SnapshotCodec.fromJson(SnapshotCodec.toJson(delta), Delta.class);
    assertEquals(delta, decoded);
    assertEquals(Fixtures.changed(), decoded.applyTo(Fixtures.everything()));
  }
}
