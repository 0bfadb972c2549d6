package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@link Snapshot#patch} checks only what changes; these tests hold it to the full validation:
 * over random change sequences a patch succeeds exactly when building the same content from
 * scratch succeeds, with the same version, and fails with the same message.
 */
class SnapshotPatchTest {
  private static final String[] CLUSTERS = {"ns/a:80", "ns/b:80", "ns/c:80", "ns/d:80", "ns/e:80"};
  private static final String[] CERTIFICATES = {"ns/t1", "ns/t2"};

  private static Route route(String name, String cluster) {
    return Route.of(name, RouteMatch.path(new PathMatch.Prefix("/" + name)),
        RouteAction.Forward.to(cluster));
  }

  private static Cluster cluster(String name, int endpoint) {
    return new Cluster(name, List.of(new Endpoint("10.0.0." + endpoint, 8080)));
  }

  private static VirtualHost host(SplittableRandom random) {
    String name = "h" + random.nextInt(12) + ".example.com";
    List<Route> routes = new ArrayList<>();
    Set<String> names = new HashSet<>();
    for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
      String routeName = "r" + random.nextInt(40);
      if (names.add(routeName)) {
        routes.add(route(routeName, CLUSTERS[random.nextInt(CLUSTERS.length)]));
      }
    }
    TlsPolicy tls = random.nextInt(3) == 0
        ? new TlsPolicy(CERTIFICATES[random.nextInt(CERTIFICATES.length)], false, null) : null;
    return new VirtualHost(name, routes, tls);
  }

  /** The same changes made on maps and validated whole, as a snapshot built from scratch is. */
  private static Snapshot fromScratch(Snapshot base, Patch p) {
    Map<String, VirtualHost> hosts = new TreeMap<>();
    base.virtualHosts().forEach(v -> hosts.put(v.host(), v));
    p.upsertVirtualHosts().forEach(v -> hosts.put(v.host(), v));
    p.removeVirtualHosts().forEach(hosts::remove);
    Set<String> usedClusters = new HashSet<>();
    Set<String> usedCertificates = new HashSet<>();
    for (VirtualHost v : hosts.values()) {
      v.routes().forEach(r -> usedClusters.addAll(r.action().clusterNames()));
      if (v.tls() != null && v.tls().certificate() != null) {
        usedCertificates.add(v.tls().certificate());
      }
    }
    Map<String, Cluster> clusters = new TreeMap<>();
    base.clusters().forEach(c -> clusters.put(c.name(), c));
    p.upsertClusters().forEach(c -> clusters.put(c.name(), c));
    p.removeClusters().forEach(clusters::remove);
    p.dropClustersIfUnused().stream()
        .filter(c -> !usedClusters.contains(c) && !c.equals(p.defaultCluster()))
        .forEach(clusters::remove);
    Map<String, TlsCertificate> certificates = new TreeMap<>();
    base.certificates().forEach(c -> certificates.put(c.name(), c));
    p.upsertCertificates().forEach(c -> certificates.put(c.name(), c));
    p.removeCertificates().forEach(certificates::remove);
    p.dropCertificatesIfUnused().stream()
        .filter(c -> !usedCertificates.contains(c) && !c.equals(p.defaultCertificate()))
        .forEach(certificates::remove);
    return Snapshot.of(new ArrayList<>(hosts.values()), new ArrayList<>(clusters.values()),
        p.defaultCluster(), new ArrayList<>(certificates.values()), p.defaultCertificate());
  }

  private static List<String> some(SplittableRandom random, String[] names) {
    List<String> out = new ArrayList<>();
    for (String name : names) {
      if (random.nextInt(4) == 0) {
        out.add(name);
      }
    }
    return out;
  }

  private static Patch randomPatch(SplittableRandom random, int step) {
    List<VirtualHost> upserts = new ArrayList<>();
    Set<String> hostNames = new HashSet<>();
    for (int i = 0, n = random.nextInt(3); i < n; i++) {
      VirtualHost h = host(random);
      if (hostNames.add(h.host())) {
        upserts.add(h);
      }
    }
    List<String> removeHosts = random.nextInt(3) == 0
        ? List.of("h" + random.nextInt(12) + ".example.com") : List.of();
    List<Cluster> upsertClusters = new ArrayList<>();
    for (String name : some(random, CLUSTERS)) {
      upsertClusters.add(cluster(name, step % 250 + 1));
    }
    List<TlsCertificate> upsertCertificates = new ArrayList<>();
    for (String name : some(random, CERTIFICATES)) {
      upsertCertificates.add(Fixtures.certificate(name, Integer.toString(step)));
    }
    // Explicit removals are rare (a delta removes what nothing uses); drops-if-unused are common.
    List<String> removeClusters = random.nextInt(6) == 0 ? some(random, CLUSTERS) : List.of();
    List<String> removeCertificates = random.nextInt(6) == 0 ? some(random, CERTIFICATES) : List.of();
    String defaultCluster = random.nextInt(5) == 0 ? null : CLUSTERS[0];
    return new Patch(upserts, removeHosts, upsertClusters, removeClusters,
        some(random, CLUSTERS), defaultCluster, upsertCertificates, removeCertificates,
        some(random, CERTIFICATES), null, List.of(), List.of(), List.of());
  }

  @Test
  @DisplayName("a patch is valid exactly when the same content built from scratch is, with the same version")
  void patchAgreesWithFullValidation() {
    SplittableRandom random = new SplittableRandom(18);
    List<Cluster> clusters = new ArrayList<>();
    for (String name : CLUSTERS) {
      clusters.add(cluster(name, 1));
    }
    List<TlsCertificate> certificates = List.of(
        Fixtures.certificate(CERTIFICATES[0], "0"), Fixtures.certificate(CERTIFICATES[1], "0"));
    Snapshot current = Snapshot.of(List.of(), clusters, CLUSTERS[0], certificates, null);
    List<Snapshot> history = new ArrayList<>();
    int accepted = 0;
    int refused = 0;
    for (int step = 0; step < 3000; step++) {
      // Mostly the newest snapshot (its index is handed on); sometimes an older one, whose index
      // a later patch took already and must be built again.
      Snapshot base = random.nextInt(8) == 0 && !history.isEmpty()
          ? history.get(random.nextInt(history.size())) : current;
      Patch patch = randomPatch(random, step);
      String expectedError = null;
      Snapshot expected = null;
      try {
        expected = fromScratch(base, patch);
      } catch (IllegalArgumentException e) {
        expectedError = e.getMessage();
      }
      if (expected == null) {
        String error = assertThrows(IllegalArgumentException.class, () -> base.patch(patch),
            "step " + step + ": " + patch).getMessage();
        assertEquals(expectedError, error, "step " + step);
        refused++;
        continue;
      }
      Snapshot patched = base.patch(patch);
      assertEquals(expected.version(), patched.version(), "step " + step);
      assertEquals(expected, patched, "step " + step);
      // The result is a snapshot like any other: validating it whole again changes nothing.
      assertEquals(patched, new Snapshot(patched.version(), new ArrayList<>(patched.virtualHosts()),
          new ArrayList<>(patched.clusters()), patched.defaultCluster(),
          new ArrayList<>(patched.certificates()), patched.defaultCertificate()));
      history.add(base);
      current = patched;
      accepted++;
    }
    // Both outcomes must have been exercised many times for the comparison to mean anything.
    assertEquals(true, accepted > 500, "accepted " + accepted);
    assertEquals(true, refused > 300, "refused " + refused);
  }

  @Test
  @DisplayName("taking out a cluster a host still uses is refused with the route that uses it")
  void removingAUsedClusterIsRefused() {
    Snapshot base = Snapshot.of(List.of(new VirtualHost("a.example.com", List.of(route("r1", "ns/a:80")))),
        List.of(cluster("ns/a:80", 1)), null);
    Patch patch = new Patch(List.of(), List.of(), List.of(), List.of("ns/a:80"), List.of(), null,
        List.of(), List.of(), List.of(), null, List.of(), List.of(), List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.patch(patch));
    assertEquals("route r1 forwards to undefined cluster ns/a:80", e.getMessage());
  }

  @Test
  @DisplayName("a new host may not bring a route name another host has")
  void aRouteNameTakenElsewhereIsRefused() {
    Snapshot base = Snapshot.of(List.of(new VirtualHost("a.example.com", List.of(route("r1", "ns/a:80")))),
        List.of(cluster("ns/a:80", 1)), null);
    Patch patch = new Patch(List.of(new VirtualHost("b.example.com", List.of(route("r1", "ns/a:80")))),
        List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of(), List.of(), null,
        List.of(), List.of(), List.of());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> base.patch(patch));
    assertEquals("duplicate route name r1", e.getMessage());
    // The refused patch spoiled nothing: the base still patches correctly.
    Patch fine = new Patch(List.of(new VirtualHost("b.example.com", List.of(route("r2", "ns/a:80")))),
        List.of(), List.of(), List.of(), List.of(), null, List.of(), List.of(), List.of(), null,
        List.of(), List.of(), List.of());
    assertEquals(2, base.patch(fine).virtualHosts().size());
  }
}
