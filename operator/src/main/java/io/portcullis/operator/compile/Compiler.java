package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
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
    ParsedCertificates.Round parsed = parsedCertificates.start();
    TlsPass tls = new TlsPass(
        state.secrets(), caBundles, status, state.now(), settings.defaultCertificate(), parsed);
    tls.run(ingresses, proxyRoutes);
    virtualHosts = tls.attach(virtualHosts);
    virtualHosts = auth.attach(virtualHosts);

    Snapshot snapshot = Snapshot.of(
        virtualHosts, usedClusters(backends, virtualHosts, defaultCluster), defaultCluster,
        tls.certificates(), tls.defaultCertificate(), sites.blobs(virtualHosts));
    parsedCertificates.keep(parsed);
    return new CompileResult(snapshot, status.build());
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
