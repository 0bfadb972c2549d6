package io.portcullis.snapshot;

import java.util.List;

/**
 * Changes to make to a snapshot ({@link Snapshot#patch}): parts to put in (added or replaced by
 * key), keys to take out, and the defaults of the result. Removals win over upserts of the same
 * key, as in a {@link Delta}.
 *
 * @param dropClustersIfUnused cluster names to take out when no virtual host of the result uses
 *     them (and they are not the default): what a recompile of a few hosts may have left unused,
 *     without walking every other host to find out
 * @param dropCertificatesIfUnused the same for certificates
 * @param dropBlobsIfUnused the same for static-file blobs
 */
public record Patch(
    List<VirtualHost> upsertVirtualHosts,
    List<String> removeVirtualHosts,
    List<Cluster> upsertClusters,
    List<String> removeClusters,
    List<String> dropClustersIfUnused,
    String defaultCluster,
    List<TlsCertificate> upsertCertificates,
    List<String> removeCertificates,
    List<String> dropCertificatesIfUnused,
    String defaultCertificate,
    List<StaticBlob> upsertBlobs,
    List<String> removeBlobs,
    List<String> dropBlobsIfUnused) {

  public Patch {
    upsertVirtualHosts = Sorted.copyUnique(upsertVirtualHosts, VirtualHost::host, "virtual host");
    removeVirtualHosts = Sorted.copy(removeVirtualHosts);
    upsertClusters = Sorted.copyUnique(upsertClusters, Cluster::name, "cluster");
    removeClusters = Sorted.copy(removeClusters);
    dropClustersIfUnused = Sorted.copy(dropClustersIfUnused);
    upsertCertificates = Sorted.copyUnique(upsertCertificates, TlsCertificate::name, "certificate");
    removeCertificates = Sorted.copy(removeCertificates);
    dropCertificatesIfUnused = Sorted.copy(dropCertificatesIfUnused);
    upsertBlobs = Sorted.copyUnique(upsertBlobs, StaticBlob::digest, "static blob");
    removeBlobs = Sorted.copy(removeBlobs);
    dropBlobsIfUnused = Sorted.copy(dropBlobsIfUnused);
  }

  /** What a delta carries: explicit removals only. */
  static Patch of(Delta delta) {
    return new Patch(delta.upsertVirtualHosts(), delta.removeVirtualHosts(),
        delta.upsertClusters(), delta.removeClusters(), List.of(), delta.defaultCluster(),
        delta.upsertCertificates(), delta.removeCertificates(), List.of(),
        delta.defaultCertificate(), delta.upsertBlobs(), delta.removeBlobs(), List.of());
  }
}
