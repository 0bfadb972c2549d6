package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The version is hashed part by part and each part's digest is remembered per instance: a snapshot
 * made from another's parts must version exactly like the same content built from scratch, and
 * cost only its new parts.
 */
class PartwiseVersionTest {

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6})
  void randomDeltasGiveTheTargetAndItsVersionWhateverThePartsWereHashedBefore(long seed) {
    Random random = new Random(seed);
    Snapshot current = randomSnapshot(random, null);
    for (int step = 0; step < 60; step++) {
      Snapshot next = randomSnapshot(random, current);
      Delta delta = Delta.between(current, next);
      Snapshot applied = delta.applyTo(current);
      assertEquals(next, applied, "seed " + seed + " step " + step);
      // The same content as brand-new objects (nothing remembered for them) hashes the same.
      Snapshot fresh = SnapshotCodec.fromJson(SnapshotCodec.toJson(next), Snapshot.class);
      assertEquals(next.version(), Snapshot.of(fresh.virtualHosts(), fresh.clusters(),
          fresh.defaultCluster(), fresh.certificates(), fresh.defaultCertificate(),
          fresh.blobs()).version());
      // A decoded delta (new instances for what it carries) applies to the held snapshot too.
      Delta decoded = SnapshotCodec.fromJson(SnapshotCodec.toJson(delta), Delta.class);
      assertEquals(next, decoded.applyTo(current));
      current = applied;
    }
  }

  @Test
  void aDeltaWithOneHostReHashesThatHostOnly() {
    List<VirtualHost> hosts = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      clusters.add(new Cluster("ns/svc-" + i + ":80", List.of(new Endpoint("10.0.0." + (i % 250), 80))));
      hosts.add(host("h" + i + ".example.com", "ns/svc-" + i + ":80", "/"));
    }
    Snapshot base = Snapshot.of(hosts, clusters, null);
    List<VirtualHost> changed = new ArrayList<>(hosts);
    changed.set(17, host("h17.example.com", "ns/svc-17:80", "/new"));
    Delta delta = Delta.between(base, Snapshot.of(changed, clusters, null));
    Delta received = SnapshotCodec.fromJson(SnapshotCodec.toJson(delta), Delta.class);

    long before = PartDigests.computed();
    Snapshot applied = received.applyTo(base);
    assertEquals(1, PartDigests.computed() - before);
    assertEquals(delta.version(), applied.version());
  }

  @Test
  void aDecodedSnapshotPreparedForDeltasTakesItsFirstDeltaAtTheCostOfTheChange() {
    List<VirtualHost> hosts = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      clusters.add(new Cluster("ns/svc-" + i + ":80", List.of(new Endpoint("10.0.0." + (i % 250), 80))));
      hosts.add(host("h" + i + ".example.com", "ns/svc-" + i + ":80", "/"));
    }
    Snapshot sent = Snapshot.of(hosts, clusters, null);
    List<VirtualHost> changed = new ArrayList<>(hosts);
    changed.set(17, host("h17.example.com", "ns/svc-17:80", "/new"));
    Delta delta = Delta.between(sent, Snapshot.of(changed, clusters, null));

    // As a dataplane holds them: a whole snapshot and then a delta, both decoded (new instances).
    Snapshot held = SnapshotCodec.fromJson(SnapshotCodec.toJson(sent), Snapshot.class);
    long before = PartDigests.computed();
    held.prepareForDeltas();
    assertEquals(400, PartDigests.computed() - before, "every host and cluster, once");
    held.prepareForDeltas();
    assertEquals(400, PartDigests.computed() - before, "remembered");

    Delta received = SnapshotCodec.fromJson(SnapshotCodec.toJson(delta), Delta.class);
    before = PartDigests.computed();
    Snapshot applied = received.applyTo(held);
    assertEquals(1, PartDigests.computed() - before, "the changed host only");
    assertEquals(delta.version(), applied.version());
  }

  private static VirtualHost host(String host, String cluster, String path) {
    return new VirtualHost(host, List.of(new Route(host + path, RouteMatch.path(new PathMatch.Prefix(path)),
        RouteAction.Forward.to(cluster), null, null)));
  }

  /** A random snapshot over a small universe of names; with a base, most parts are the base's. */
  private static Snapshot randomSnapshot(Random random, Snapshot base) {
    List<Cluster> clusters = new ArrayList<>();
    for (int c = 0; c < 12; c++) {
      Cluster old = base == null ? null : base.clustersByName().get("ns/svc-" + c + ":80");
      if (old != null && random.nextInt(5) > 0) {
        clusters.add(old);
      } else if (random.nextInt(4) > 0) {
        clusters.add(new Cluster("ns/svc-" + c + ":80",
            List.of(new Endpoint("10.0.0." + random.nextInt(4), 80 + random.nextInt(2)))));
      }
    }
    List<VirtualHost> hosts = new ArrayList<>();
    for (int h = 0; h < 15 && !clusters.isEmpty(); h++) {
      String name = h == 0 ? VirtualHost.ANY_HOST : h == 1 ? "*.example.com" : "h" + h + ".example.com";
      VirtualHost old = base == null ? null : base.virtualHostsByHost().get(name);
      if (old != null && random.nextInt(5) > 0 && usesOnly(old, clusters)) {
        hosts.add(old);
      } else if (random.nextInt(4) > 0) {
        String cluster = clusters.get(random.nextInt(clusters.size())).name();
        hosts.add(host(name, cluster, random.nextBoolean() ? "/" : "/api"));
      }
    }
    String defaultCluster = random.nextBoolean() && !clusters.isEmpty() ? clusters.get(0).name() : null;
    return Snapshot.of(hosts, clusters, defaultCluster);
  }

  private static boolean usesOnly(VirtualHost host, List<Cluster> clusters) {
    List<String> names = clusters.stream().map(Cluster::name).toList();
    return host.routes().stream().allMatch(r -> names.containsAll(r.action().clusterNames()));
  }
}
