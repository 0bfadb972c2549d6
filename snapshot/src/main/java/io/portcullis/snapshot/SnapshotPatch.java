package io.portcullis.snapshot;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * {@link Snapshot#patch}: a valid snapshot with a few parts changed, checked by looking at the
 * changes only. Every host the patch puts in must find its clusters, certificate and blobs in the
 * result and bring route names no other host has; every cluster, certificate or blob it takes out
 * must be used by no host of the result ({@link HostReferences} counts the users); the defaults
 * must exist. Hosts it leaves alone were valid with the parts they use, and those parts are still
 * there. When a check fails the result goes through the full validation, which names the exact
 * route at fault, as it always did.
 */
final class SnapshotPatch {
  private SnapshotPatch() {}

  static Snapshot apply(Snapshot base, Patch p) {
    List<VirtualHost> baseHosts = base.virtualHosts();
    HostReferences index = ((HostList) baseHosts).takeIndex();
    Set<String> removedHosts = new HashSet<>(p.removeVirtualHosts());
    Set<String> upserted = new HashSet<>();
    boolean valid = true;
    for (VirtualHost host : p.upsertVirtualHosts()) {
      upserted.add(host.host());
      VirtualHost old = find(baseHosts, host.host(), VirtualHost::host);
      if (old != null) {
        index.remove(old);
      }
    }
    for (String name : removedHosts) {
      VirtualHost old = upserted.contains(name) ? null : find(baseHosts, name, VirtualHost::host);
      if (old != null) {
        index.remove(old);
      }
    }
    List<VirtualHost> added = new ArrayList<>(p.upsertVirtualHosts().size());
    for (VirtualHost host : p.upsertVirtualHosts()) {
      if (!removedHosts.contains(host.host())) {
        added.add(host);
        valid = valid && index.add(host);
      }
    }

    List<VirtualHost> hosts =
        Diff.patch(baseHosts, p.upsertVirtualHosts(), p.removeVirtualHosts(), VirtualHost::host);
    HostReferences uses = valid ? index : HostReferences.counting(hosts);
    List<String> removeClusters = unused(p.removeClusters(), p.dropClustersIfUnused(),
        p.defaultCluster(), uses::usesCluster);
    List<String> removeCertificates = unused(p.removeCertificates(), p.dropCertificatesIfUnused(),
        p.defaultCertificate(), uses::usesCertificate);
    List<String> removeBlobs = unused(p.removeBlobs(), p.dropBlobsIfUnused(), null, uses::usesBlob);
    List<Cluster> clusters =
        Diff.patch(base.clusters(), p.upsertClusters(), removeClusters, Cluster::name);
    List<TlsCertificate> certificates = Diff.patch(
        base.certificates(), p.upsertCertificates(), removeCertificates, TlsCertificate::name);
    List<StaticBlob> blobs =
        Diff.patch(base.blobs(), p.upsertBlobs(), removeBlobs, StaticBlob::digest);

    valid = valid
        && (p.defaultCluster() == null || find(clusters, p.defaultCluster(), Cluster::name) != null)
        && (p.defaultCertificate() == null
            || find(certificates, p.defaultCertificate(), TlsCertificate::name) != null)
        && removeClusters.stream().noneMatch(index::usesCluster)
        && removeCertificates.stream().noneMatch(index::usesCertificate)
        && removeBlobs.stream().noneMatch(index::usesBlob);
    for (VirtualHost host : added) {
      if (!valid) {
        break;
      }
      HostReferences.Uses named = HostReferences.Uses.of(host);
      valid = named.clusters().stream().allMatch(c -> find(clusters, c, Cluster::name) != null)
          && (named.certificate() == null
              || find(certificates, named.certificate(), TlsCertificate::name) != null)
          && named.blobs().stream().allMatch(b -> find(blobs, b, StaticBlob::digest) != null);
    }
    if (!valid) {
      // Throws with the route and part at fault (or, were this check ever stricter than the
      // contract, builds the snapshot the slow way).
      return Snapshot.of(hosts, clusters, p.defaultCluster(), certificates, p.defaultCertificate(),
          blobs);
    }
    String version = VersionHash.of(
        hosts, clusters, p.defaultCluster(), certificates, p.defaultCertificate(), blobs);
    HostList checked = new HostList(hosts, clusters, certificates, blobs, p.defaultCluster(),
        p.defaultCertificate(), index);
    PartDigests.remember(checked, PartDigests.ofList(hosts)); // for the next patch's version
    return new Snapshot(version, checked, clusters, p.defaultCluster(), certificates,
        p.defaultCertificate(), blobs);
  }

  /** The explicit removals plus those candidates nothing uses any more (never the default). */
  private static List<String> unused(List<String> removals, List<String> candidates,
      String defaultName, java.util.function.Predicate<String> used) {
    if (candidates.isEmpty()) {
      return removals;
    }
    List<String> out = new ArrayList<>(removals);
    for (String name : candidates) {
      if (!name.equals(defaultName) && !used.test(name)) {
        out.add(name);
      }
    }
    return out;
  }

  /** The part with this key in a list sorted by key, or null: a binary search. */
  static <T> T find(List<T> sorted, String key, Function<T, String> keyOf) {
    int low = 0;
    int high = sorted.size() - 1;
    while (low <= high) {
      int mid = (low + high) >>> 1;
      T part = sorted.get(mid);
      int order = keyOf.apply(part).compareTo(key);
      if (order < 0) {
        low = mid + 1;
      } else if (order > 0) {
        high = mid - 1;
      } else {
        return part;
      }
    }
    return null;
  }
}
