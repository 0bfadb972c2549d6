package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

  /** The delta that turns {@code from} into {@code to}. */
  public static Delta between(Snapshot from, Snapshot to) {
    Map<String, Cluster> oldClusters = from.clustersByName();
    Map<String, VirtualHost> oldHosts = from.virtualHostsByHost();
    List<Cluster> upsertClusters = new ArrayList<>();
    for (Cluster c : to.clusters()) {
      if (!c.equals(oldClusters.get(c.name()))) {
        upsertClusters.add(c);
      }
    }
    List<VirtualHost> upsertHosts = new ArrayList<>();
    for (VirtualHost v : to.virtualHosts()) {
      if (!v.equals(oldHosts.get(v.host()))) {
        upsertHosts.add(v);
      }
    }
    Set<String> newClusters = to.clustersByName().keySet();
    Set<String> newHosts = to.virtualHostsByHost().keySet();
    List<String> removeClusters =
        oldClusters.keySet().stream().filter(n -> !newClusters.contains(n)).toList();
    List<String> removeHosts = oldHosts.keySet().stream().filter(h -> !newHosts.contains(h)).toList();
    Map<String, TlsCertificate> oldCertificates = from.certificatesByName();
    List<TlsCertificate> upsertCertificates = new ArrayList<>();
    for (TlsCertificate c : to.certificates()) {
      if (!c.equals(oldCertificates.get(c.name()))) {
        upsertCertificates.add(c);
      }
    }
    Set<String> newCertificates = to.certificatesByName().keySet();
    List<String> removeCertificates =
        oldCertificates.keySet().stream().filter(n -> !newCertificates.contains(n)).toList();
    Map<String, StaticBlob> oldBlobs = from.blobsByDigest();
    List<StaticBlob> upsertBlobs =
        to.blobs().stream().filter(b -> !oldBlobs.containsKey(b.digest())).toList();
    Set<String> newBlobs = to.blobsByDigest().keySet();
    List<String> removeBlobs =
        oldBlobs.keySet().stream().filter(d -> !newBlobs.contains(d)).toList();
    return new Delta(
        from.version(),
        to.version(),
        upsertClusters,
        upsertHosts,
        removeClusters,
        removeHosts,
        to.defaultCluster(),
        upsertCertificates,
        removeCertificates,
        to.defaultCertificate(),
        upsertBlobs,
        removeBlobs);
  }

  /**
   * Applies this delta to {@code base}.
   *
   * @throws IllegalArgumentException when {@code base} is not the base version, the result is not
   *     a valid snapshot, or it does not hash to {@link #version()}
   */
  public Snapshot applyTo(Snapshot base) {
    if (!base.version().equals(baseVersion)) {
      throw new IllegalArgumentException(
          "delta is based on " + baseVersion + " but the current version is " + base.version());
    }
    Map<String, Cluster> clusters = new LinkedHashMap<>(base.clustersByName());
    upsertClusters.forEach(c -> clusters.put(c.name(), c));
    removeClusters.forEach(clusters::remove);
    Map<String, VirtualHost> hosts = new LinkedHashMap<>(base.virtualHostsByHost());
    upsertVirtualHosts.forEach(v -> hosts.put(v.host(), v));
    removeVirtualHosts.forEach(hosts::remove);
    Map<String, TlsCertificate> certificates = new LinkedHashMap<>(base.certificatesByName());
    upsertCertificates.forEach(c -> certificates.put(c.name(), c));
    removeCertificates.forEach(certificates::remove);
    Map<String, StaticBlob> blobs = new LinkedHashMap<>(base.blobsByDigest());
    upsertBlobs.forEach(b -> blobs.put(b.digest(), b));
    removeBlobs.forEach(blobs::remove);
    Snapshot result = Snapshot.of(
        new ArrayList<>(hosts.values()), new ArrayList<>(clusters.values()), defaultCluster,
        new ArrayList<>(certificates.values()), defaultCertificate,
        new ArrayList<>(blobs.values()));
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
