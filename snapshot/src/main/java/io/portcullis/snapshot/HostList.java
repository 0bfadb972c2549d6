package io.portcullis.snapshot;

import java.util.AbstractList;
import java.util.List;
import java.util.Objects;
import java.util.RandomAccess;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A snapshot's virtual hosts: an immutable list that also carries what makes the next snapshot
 * cheap to check. It remembers the clusters, certificates, blobs and defaults it was validated
 * with, so that the snapshot's constructor can trust it with exactly those (the only way to build
 * one is a full validation or {@link SnapshotPatch}, which checks what changed), and it holds the
 * {@link HostReferences} index for one later patch to take over.
 */
final class HostList extends AbstractList<VirtualHost> implements RandomAccess {
  private final List<VirtualHost> hosts;
  private final List<Cluster> clusters;
  private final List<TlsCertificate> certificates;
  private final List<StaticBlob> blobs;
  private final String defaultCluster;
  private final String defaultCertificate;
  private final AtomicReference<HostReferences> index;

  /**
   * @param hosts sorted, immutable, valid together with the other arguments
   * @param index the index of {@code hosts}, or null to build it when first needed
   */
  HostList(List<VirtualHost> hosts, List<Cluster> clusters, List<TlsCertificate> certificates,
      List<StaticBlob> blobs, String defaultCluster, String defaultCertificate,
      HostReferences index) {
    this.hosts = hosts;
    this.clusters = clusters;
    this.certificates = certificates;
    this.blobs = blobs;
    this.defaultCluster = defaultCluster;
    this.defaultCertificate = defaultCertificate;
    this.index = new AtomicReference<>(index);
  }

  /** Whether these hosts were validated with exactly these parts (the very same lists). */
  boolean validatedWith(List<Cluster> clusters, List<TlsCertificate> certificates,
      List<StaticBlob> blobs, String defaultCluster, String defaultCertificate) {
    return this.clusters == clusters && this.certificates == certificates && this.blobs == blobs
        && Objects.equals(this.defaultCluster, defaultCluster)
        && Objects.equals(this.defaultCertificate, defaultCertificate);
  }

  /**
   * The index, for the caller alone: it is handed over, not shared, since the caller changes it.
   * Built from the hosts when another patch took it already or none was made yet.
   */
  HostReferences takeIndex() {
    HostReferences taken = index.getAndSet(null);
    return taken != null ? taken : HostReferences.of(hosts, hosts.size());
  }

  /** Builds the index now if there is none, so that the next patch does not have to. */
  void prepareIndex() {
    if (index.get() == null) {
      index.compareAndSet(null, HostReferences.of(hosts, hosts.size()));
    }
  }

  @Override
  public VirtualHost get(int i) {
    return hosts.get(i);
  }

  @Override
  public int size() {
    return hosts.size();
  }
}
