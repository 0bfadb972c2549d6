package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The difference between two snapshots. Fields are in make-before-break order: clusters first,
 * then the virtual hosts that use them, removals last. A dataplane applies a delta as a whole and
 * swaps the result in atomically; it checks that the result hashes to {@link #version()}.
 *
 * @param baseVersion the version the delta applies to
 * @param version the version of the result
 * @param upsertClusters clusters added or changed (endpoint-only changes travel as these alone)
 * @param upsertVirtualHosts virtual hosts added or changed, whole
 * @param removeClusters names of clusters to drop
 * @param removeVirtualHosts hosts of virtual hosts to drop
 * @param defaultCluster the default cluster of the result (null: none)
 * @param upsertCertificates certificates added or changed (before the hosts that name them);
 *     omitted from the JSON when empty, like the other certificate fields
 * @param removeCertificates names of certificates to drop
 * @param defaultCertificate the default certificate of the result (null: none)
 * @param upsertBlobs static-file blobs the result has and the base lacks (before the routes that
 *     name them); blobs never change under a digest, so there is nothing to update
 * @param removeBlobs digests of blobs no route of the result names
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Delta(
    String baseVersion,
    String version,
    List<Cluster> upsertClusters,
    List<VirtualHost> upsertVirtualHosts,
    List<String> removeClusters,
    List<String> removeVirtualHosts,
    String defaultCluster,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TlsCertificate> upsertCertificates,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> removeCertificates,
    String defaultCertificate,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<StaticBlob> upsertBlobs,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> removeBlobs) {

  public Delta {
    Sorted.requireText(baseVersion, "base version");
    Sorted.requireText(version, "version");
    upsertClusters = Sorted.copy(upsertClusters, Comparator.comparing(Cluster::name));
    upsertVirtualHosts = Sorted.copy(upsertVirtualHosts, Comparator.comparing(VirtualHost::host));
    removeClusters = Sorted.copy(removeClusters, Comparator.naturalOrder());
    removeVirtualHosts = Sorted.copy(removeVirtualHosts, Comparator.naturalOrder());
    upsertCertificates =
        Sorted.copy(upsertCertificates, Comparator.comparing(TlsCertificate::name));
    removeCertificates = Sorted.copy(removeCertificates, Comparator.naturalOrder());
    upsertBlobs = Sorted.copy(upsertBlobs, Comparator.comparing(StaticBlob::digest));
    removeBlobs = Sorted.copy(removeBlobs, Comparator.naturalOrder());
  }

  /** A delta that touches no static-file blob. */
  public Delta(
      String baseVersion,
      String version,
      List<Cluster> upsertClusters,
      List<VirtualHost> upsertVirtualHosts,
      List<String> removeClusters,
      List<String> removeVirtualHosts,
      String defaultCluster,
      List<TlsCertificate> upsertCertificates,
      List<String> removeCertificates,
      String defaultCertificate) {
    this(baseVersion, version, upsertClusters, upsertVirtualHosts, removeClusters,
        removeVirtualHosts, defaultCluster, upsertCertificates, removeCertificates,
        defaultCertificate, List.of(), List.of());
  }

  /** A delta that touches no certificate (and whose result has no default certificate). */
  public Delta(
      String baseVersion,
      String version,
      List<Cluster> upsertClusters,
      List<VirtualHost> upsertVirtualHosts,
      List<String> removeClusters,
      List<String> removeVirtualHosts,
      String defaultCluster) {
    this(baseVersion, version, upsertClusters, upsertVirtualHosts, removeClusters,
        removeVirtualHosts, defaultCluster, List.of(), List.of(), null);
  }

  /**
   * The delta that turns {@code from} into {@code to}. One merge walk over each pair of sorted
   * lists; parts that are the same instance in both (what a recompile keeps) compare by identity,
   * so diffing a one-object change costs a walk, not a deep comparison of everything.
   */
  public static Delta between(Snapshot from, Snapshot to) {
    Diff<Cluster> clusters = Diff.of(from.clusters(), to.clusters(), Cluster::name);
    Diff<VirtualHost> hosts = Diff.of(from.virtualHosts(), to.virtualHosts(), VirtualHost::host);
    Diff<TlsCertificate> certificates =
        Diff.of(from.certificates(), to.certificates(), TlsCertificate::name);
    Diff<StaticBlob> blobs = Diff.of(from.blobs(), to.blobs(), StaticBlob::digest);
    return new Delta(
        from.version(),
        to.version(),
        clusters.upserts(),
        hosts.upserts(),
        clusters.removals(),
        hosts.removals(),
        to.defaultCluster(),
        certificates.upserts(),
        certificates.removals(),
        to.defaultCertificate(),
        blobs.upserts(),
        blobs.removals());
  }

  /**
   * Applies this delta to {@code base}. Unchanged parts of the result are the base's own
   * instances, so versioning it re-hashes only what the delta carries, and only what the delta
   * changes is validated ({@link Snapshot#patch}).
   *
   * @throws IllegalArgumentException when {@code base} is not the base version, the result is not
   *     a valid snapshot, or it does not hash to {@link #version()}
   */
  public Snapshot applyTo(Snapshot base) {
    if (!base.version().equals(baseVersion)) {
      throw new IllegalArgumentException(
          "delta is based on " + baseVersion + " but the current version is " + base.version());
    }
    Snapshot result = base.patch(Patch.of(this));
    if (!result.version().equals(version)) {
      throw new IllegalArgumentException(
          "delta result hashes to " + result.version() + ", expected " + version);
    }
    return result;
  }

  /**
   * True when the delta changes nothing but clusters: the cheap path endpoint churn takes. The
   * default cluster travels in every delta, so a switch between two existing clusters is not seen
   * here; the operator never produces that as an endpoint change.
   */
  @JsonIgnore
  public boolean isEndpointOnly() {
    return upsertVirtualHosts.isEmpty()
        && removeClusters.isEmpty()
        && removeVirtualHosts.isEmpty()
        && upsertCertificates.isEmpty()
        && removeCertificates.isEmpty()
        && upsertBlobs.isEmpty()
        && removeBlobs.isEmpty();
  }

  /** Names of everything this delta touches, for a NACK's resource list. */
  @JsonIgnore
  public List<String> resourceNames() {
    Set<String> names = new HashSet<>();
    upsertClusters.forEach(c -> names.add("cluster/" + c.name()));
    upsertVirtualHosts.forEach(v -> names.add("vhost/" + v.host()));
    upsertCertificates.forEach(c -> names.add("certificate/" + c.name()));
    upsertBlobs.forEach(b -> names.add("blob/" + b.digest()));
    return names.stream().sorted().toList();
  }
}
