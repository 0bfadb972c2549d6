package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsCertificate;
import io.portcullis.snapshot.VirtualHost;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * Cluster state in, snapshot and statuses out. Pure: no I/O, no clock, no client; the same state
 * always compiles to the same snapshot (and so the same version).
 *
 * <p>Ordered passes over one immutable view, Contour style: select our objects; Ingress rules and
 * ProxyRoute routes become route candidates (resolving backends through one index); the route
 * table settles conflicts (oldest wins) and orders each host's routes; the default backend is
 * picked; the TLS pass validates Secrets and attaches each host's certificate, redirect and
 * HSTS. Each pass reports to one status collector.
 */
public final class Compiler {
  private final CompilerSettings settings;
  /** TLS Secret contents parsed by the previous compile: a memo, not state (see the class). */
  private final ParsedCertificates parsedCertificates = new ParsedCertificates();

  public Compiler(CompilerSettings settings) {
    this.settings = Objects.requireNonNull(settings, "settings");
  }

  public CompileResult compile(ClusterState state) {
    ParsedCertificates.Round parsed = parsedCertificates.start();
    CompileResult result = compile(state, parsed);
    parsedCertificates.keep(parsed);
    return result;
  }

  /**
   * Compiles part of the cluster ({@link PartialCompile}): the same passes, but the TLS Secrets
   * parsed earlier stay remembered, since the Secrets outside the part are still in use.
   */
  CompileResult compilePart(ClusterState part) {
    ParsedCertificates.Round parsed = parsedCertificates.start();
    CompileResult result = compile(part, parsed);
    parsedCertificates.keepAlso(parsed);
    return result;
  }

  /**
   * When the next certificate this compiler judged valid at {@code now} expires (null: none), so
   * that a cheaper path than a full compile knows until when its reused judgements hold.
   */
  Instant nextExpiry(Instant now) {
    return parsedCertificates.nextExpiry(now);
  }

  CompilerSettings settings() {
    return settings;
  }

  private CompileResult compile(ClusterState state, ParsedCertificates.Round parsed) {
    ClassSelector classes = new ClassSelector(settings.ingressClass(), state.ingressClasses(), settings.ingressNginx());
    List<Ingress> ingresses = state.ingresses().stream().filter(classes::isOurs).toList();
    List<ProxyRoute> proxyRoutes = state.proxyRoutes().stream().filter(classes::isOurs).toList();

    StatusCollector status = new StatusCollector();
    NginxPass.Prepared nginx = settings.ingressNginx() == CompilerSettings.IngressNginx.SERVED
        ? NginxPass.run(ingresses, status) : NginxPass.Prepared.untouched(ingresses);
    ingresses = nginx.ingresses();
    BackendResolver backends = new BackendResolver(state.services(), state.endpointSlices());
    RouteTable table = new RouteTable();
    CaBundles caBundles = new CaBundles(state.secrets());

    new IngressPass(backends, status, table, nginx.translations(),
        new ErrorPagesTranslation(backends, settings.defaultBackend())).run(ingresses);
    StaticSites sites = new StaticSites(state.configMaps());
    new ProxyRoutePass(backends, caBundles, sites, status, table).run(proxyRoutes);
    AuthPass auth = new AuthPass(state.secrets(), status);
    auth.run(ingresses, proxyRoutes);
    auth.addRoutes(table);
    List<VirtualHost> virtualHosts = table.build(status);
    String defaultCluster =
        new DefaultBackendPass(backends, status).run(ingresses, settings.defaultBackend());
    TlsPass tls = new TlsPass(
        state.secrets(), caBundles, status, state.now(), settings.defaultCertificate(), parsed);
    tls.run(ingresses, proxyRoutes);
    virtualHosts = tls.attach(virtualHosts);
    virtualHosts = auth.attach(virtualHosts);

    Snapshot snapshot = Snapshot.of(
        virtualHosts, usedClusters(backends, virtualHosts, defaultCluster), defaultCluster,
        usedCertificates(tls.certificates(), virtualHosts, tls.defaultCertificate()),
        tls.defaultCertificate(), sites.blobs(virtualHosts));
    return new CompileResult(snapshot, status.build());
  }

  /**
   * Only certificates a virtual host or the default names. A TLS claim on a host without routes
   * validates its Secret (and reports on it) but the dataplane could never present it: its SNI
   * table is built from the virtual hosts. Leaving such keys out also keeps what a host's
   * certificate is a matter of that host alone, which the partial recompile relies on.
   */
  private static List<TlsCertificate> usedCertificates(
      List<TlsCertificate> certificates, List<VirtualHost> virtualHosts, String defaultCertificate) {
    Set<String> named = new java.util.HashSet<>();
    for (VirtualHost vhost : virtualHosts) {
      if (vhost.tls() != null && vhost.tls().certificate() != null) {
        named.add(vhost.tls().certificate());
      }
    }
    if (defaultCertificate != null) {
      named.add(defaultCertificate);
    }
    return certificates.stream().filter(c -> named.contains(c.name())).toList();
  }

  /** Only clusters a winning route or the default uses: conflict losers leave nothing behind. */
  private static List<Cluster> usedClusters(
      BackendResolver backends, List<VirtualHost> virtualHosts, String defaultCluster) {
    Set<String> used = new TreeSet<>();
    for (VirtualHost vhost : virtualHosts) {
      used.addAll(ErrorPagesTranslation.clusters(vhost.filters()));
      for (Route route : vhost.routes()) {
        used.addAll(route.action().clusterNames());
        used.addAll(ErrorPagesTranslation.clusters(route.filters()));
      }
    }
    if (defaultCluster != null) {
      used.add(defaultCluster);
    }
    List<Cluster> clusters = new ArrayList<>(used.size());
    for (String name : used) {
      clusters.add(backends.clusters().get(name));
    }
    return clusters;
  }
}
