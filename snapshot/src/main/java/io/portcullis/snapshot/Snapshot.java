package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The whole configuration of a dataplane at one version: what the operator compiles and streams,
 * and what the dataplane swaps in with one reference write.
 *
 * <p>The version is a content hash ({@link #of}), so identical configs have identical versions and
 * a reconnecting dataplane that already holds a version needs nothing resent. It is built from
 * one hash per virtual host, cluster, certificate and blob ({@link VersionHash}), each computed
 * once per part object, so a snapshot made from another's unchanged parts costs only its new ones. Collections are
 * sorted by a stable key so that the JSON, and therefore the hash, is canonical. Routes inside a
 * virtual host are the exception: their order is their priority, decided by the compiler.
 *
 * @param version content hash of everything else
 * @param virtualHosts one per host pattern, sorted by host
 * @param clusters every cluster a route forwards to, sorted by name
 * @param defaultCluster the cluster for requests that match no route, or null for a plain 404
 * @param certificates every certificate a virtual host or the default names, sorted by name;
 *     omitted from the JSON when empty, so snapshots without TLS keep their wire form and version
 * @param defaultCertificate the certificate for unknown or missing SNI names, or null (then the
 *     HTTPS listener refuses handshakes it has no certificate for)
 * @param blobs the bytes of every static file a route carries, by digest, sorted by digest;
 *     omitted from the JSON when empty
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Snapshot(
    String version,
    List<VirtualHost> virtualHosts,
    List<Cluster> clusters,
    String defaultCluster,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<TlsCertificate> certificates,
    String defaultCertificate,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<StaticBlob> blobs) {

  public Snapshot {
    Objects.requireNonNull(version, "version");
    if (virtualHosts instanceof HostList checked
        && checked.validatedWith(clusters, certificates, blobs, defaultCluster, defaultCertificate)) {
      // Made by a full validation or by a patch of a valid snapshot that checked what it changed
      // (SnapshotPatch): valid as it is, and checking every route again is what a one-object
      // change must not cost at 20,000 routes.
    } else {
      List<VirtualHost> hosts = Sorted.copyUnique(virtualHosts, VirtualHost::host, "virtual host");
      clusters = Sorted.copyUnique(clusters, Cluster::name, "cluster");
      certificates = Sorted.copyUnique(certificates, TlsCertificate::name, "certificate");
      requireClustersExist(hosts, clusters, defaultCluster);
      requireCertificatesExist(hosts, certificates, defaultCertificate);
      requireUniqueRouteNames(hosts);
      blobs = Sorted.copyUnique(blobs, StaticBlob::digest, "static blob");
      requireBlobsExist(hosts, blobs);
      virtualHosts = new HostList(hosts, clusters, certificates, blobs, defaultCluster,
          defaultCertificate, null);
    }
  }

  /** A snapshot without static files. */
  public Snapshot(
      String version,
      List<VirtualHost> virtualHosts,
      List<Cluster> clusters,
      String defaultCluster,
      List<TlsCertificate> certificates,
      String defaultCertificate) {
    this(version, virtualHosts, clusters, defaultCluster, certificates, defaultCertificate,
        List.of());
  }

  /** A snapshot without certificates. */
  public Snapshot(
      String version, List<VirtualHost> virtualHosts, List<Cluster> clusters, String defaultCluster) {
    this(version, virtualHosts, clusters, defaultCluster, List.of(), null, List.of());
  }

  /** An empty snapshot: every request gets 404. */
  public static Snapshot empty() {
    return of(List.of(), List.of(), null);
  }

  /** Builds a snapshot without certificates whose version is the hash of its content. */
  public static Snapshot of(
      List<VirtualHost> virtualHosts, List<Cluster> clusters, String defaultCluster) {
    return of(virtualHosts, clusters, defaultCluster, List.of(), null);
  }

  /**
   * Builds a snapshot whose version is the hash of its content, certificates and keys included:
   * a changed Secret is a new version.
   */
  public static Snapshot of(
      List<VirtualHost> virtualHosts,
      List<Cluster> clusters,
      String defaultCluster,
      List<TlsCertificate> certificates,
      String defaultCertificate) {
    return of(virtualHosts, clusters, defaultCluster, certificates, defaultCertificate, List.of());
  }

  /** Builds a snapshot with static files whose version is the hash of its content. */
  public static Snapshot of(
      List<VirtualHost> virtualHosts,
      List<Cluster> clusters,
      String defaultCluster,
      List<TlsCertificate> certificates,
      String defaultCertificate,
      List<StaticBlob> blobs) {
    // Hashed in canonical order before the one construction that validates (validating twice
    // was a third of versioning a one-object change at 10,000 hosts).
    List<VirtualHost> hosts = Sorted.copy(virtualHosts, Comparator.comparing(VirtualHost::host));
    List<Cluster> sortedClusters = Sorted.copy(clusters, Comparator.comparing(Cluster::name));
    List<TlsCertificate> sortedCertificates =
        Sorted.copy(certificates, Comparator.comparing(TlsCertificate::name));
    List<StaticBlob> sortedBlobs = Sorted.copy(blobs, Comparator.comparing(StaticBlob::digest));
    String version = VersionHash.of(
        hosts, sortedClusters, defaultCluster, sortedCertificates, defaultCertificate, sortedBlobs);
    return new Snapshot(version, hosts, sortedClusters, defaultCluster, sortedCertificates,
        defaultCertificate, sortedBlobs);
  }

  /**
   * This snapshot with {@code changes} made, versioned by its new content. Only what changes is
   * checked (this snapshot is valid already), so the cost follows the size of the change, not of
   * the snapshot, apart from the version's walk over every part's digest.
   *
   * @throws IllegalArgumentException when the result would not be a valid snapshot
   */
  public Snapshot patch(Patch changes) {
    return SnapshotPatch.apply(this, changes);
  }

  /**
   * Computes now what applying a delta to this snapshot needs: the digest of each part (to version
   * the result) and the index of what its hosts reference (to check the result), both kept while
   * the snapshot lives. A snapshot decoded from the wire has neither, so without this the first
   * delta a dataplane applied after a whole snapshot serialised and hashed every virtual host and
   * cluster and indexed every host on the critical path (~130-300 ms at 5,000 Ingresses in round
   * 7, each dataplane its own).
   */
  public void prepareForDeltas() {
    PartDigests.ofList(virtualHosts);
    PartDigests.ofList(clusters);
    PartDigests.ofList(certificates);
    PartDigests.ofList(blobs);
    if (virtualHosts instanceof HostList hosts) {
      hosts.prepareIndex();
    }
  }

  /** The same snapshot with other virtual hosts, versioned by its new content. */
  public Snapshot withVirtualHosts(List<VirtualHost> hosts) {
    return of(hosts, clusters, defaultCluster, certificates, defaultCertificate, blobs);
  }

  public Map<String, StaticBlob> blobsByDigest() {
    return blobs.stream().collect(Collectors.toMap(StaticBlob::digest, Function.identity()));
  }

  public Map<String, TlsCertificate> certificatesByName() {
    return certificates.stream()
        .collect(Collectors.toMap(TlsCertificate::name, Function.identity()));
  }

  public Map<String, Cluster> clustersByName() {
    return clusters.stream().collect(Collectors.toMap(Cluster::name, Function.identity()));
  }

  public Map<String, VirtualHost> virtualHostsByHost() {
    return virtualHosts.stream().collect(Collectors.toMap(VirtualHost::host, Function.identity()));
  }

  /** Number of routes over all virtual hosts. */
  public int routeCount() {
    return virtualHosts.stream().mapToInt(v -> v.routes().size()).sum();
  }

  // Make-before-break at the contract level: a snapshot that routes to a cluster it does not carry
  // cannot be built, so a dataplane can never point a route at a cluster it does not have.
  private static void requireClustersExist(
      List<VirtualHost> virtualHosts, List<Cluster> clusters, String defaultCluster) {
    Set<String> names = new HashSet<>();
    clusters.forEach(c -> names.add(c.name()));
    if (defaultCluster != null && !names.contains(defaultCluster)) {
      throw new IllegalArgumentException("default cluster " + defaultCluster + " is not defined");
    }
    for (VirtualHost vhost : virtualHosts) {
      requireErrorPagesClusters(vhost.filters(), names, "virtual host " + vhost.host());
      for (Route route : vhost.routes()) {
        for (String cluster : route.action().clusterNames()) {
          if (!names.contains(cluster)) {
            throw new IllegalArgumentException(
                "route " + route.name() + " forwards to undefined cluster " + cluster);
          }
        }
        requireErrorPagesClusters(route.filters(), names, "route " + route.name());
      }
    }
  }

  private static void requireErrorPagesClusters(
      List<io.portcullis.snapshot.filter.FilterConfig> filters, Set<String> names, String owner) {
    for (var filter : filters) {
      if (filter instanceof io.portcullis.snapshot.filter.ErrorPages pages
          && !names.contains(pages.cluster())) {
        throw new IllegalArgumentException(
            owner + " takes error pages from undefined cluster " + pages.cluster());
      }
    }
  }

  private static void requireCertificatesExist(
      List<VirtualHost> virtualHosts, List<TlsCertificate> certificates, String defaultCertificate) {
    Set<String> names = new HashSet<>();
    certificates.forEach(c -> names.add(c.name()));
    if (defaultCertificate != null && !names.contains(defaultCertificate)) {
      throw new IllegalArgumentException(
          "default certificate " + defaultCertificate + " is not defined");
    }
    for (VirtualHost vhost : virtualHosts) {
      String name = vhost.tls() == null ? null : vhost.tls().certificate();
      if (name != null && !names.contains(name)) {
        throw new IllegalArgumentException(
            "virtual host " + vhost.host() + " uses undefined certificate " + name);
      }
    }
  }

  private static void requireUniqueRouteNames(List<VirtualHost> virtualHosts) {
    Set<String> seen = new HashSet<>();
    for (VirtualHost vhost : virtualHosts) {
      for (Route route : vhost.routes()) {
        if (!seen.add(route.name())) {
          throw new IllegalArgumentException("duplicate route name " + route.name());
        }
      }
    }
  }

  // Like clusters: a route can never name static content the snapshot does not carry.
  private static void requireBlobsExist(List<VirtualHost> virtualHosts, List<StaticBlob> blobs) {
    Set<String> digests = new HashSet<>();
    blobs.forEach(b -> digests.add(b.digest()));
    for (VirtualHost vhost : virtualHosts) {
      for (Route route : vhost.routes()) {
        if (route.action() instanceof RouteAction.Static s
            && s.source() instanceof StaticSource.Files files) {
          for (StaticFile f : files.files()) {
            if (!digests.contains(f.digest())) {
              throw new IllegalArgumentException("route " + route.name() + " serves "
                  + f.path() + " whose content " + f.digest() + " is not in the snapshot");
            }
          }
        }
      }
    }
  }
}
