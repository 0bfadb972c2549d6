package io.portcullis.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.SnapshotCodec;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A config built from a delta reuses the routing index of every virtual host the delta did not
 * touch, and rebuilds a host whose clusters were replaced or whose chains may differ.
 */
class UnchangedHostsReuseTest {
  private static final List<String> HOSTS =
      List.of("a.example.com", "b.example.com", "*.example.com", VirtualHost.ANY_HOST);

  private static VirtualHost host(String host, String cluster, String prefix) {
    return new VirtualHost(host, List.of(Route.of(host + prefix,
        RouteMatch.path(new PathMatch.Prefix(prefix)), RouteAction.Forward.to(cluster))));
  }

  private static Snapshot base() {
    List<VirtualHost> hosts = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    for (int i = 0; i < HOSTS.size(); i++) {
      clusters.add(new Cluster("c" + i, List.of(new Endpoint("10.0.0." + (i + 1), 80))));
      hosts.add(host(HOSTS.get(i), "c" + i, "/"));
    }
    return Snapshot.of(hosts, clusters, null);
  }

  /** {@code to} as the dataplane gets it: a delta over the wire, applied to what it holds. */
  private static Snapshot received(Snapshot from, Snapshot to) {
    Delta delta = SnapshotCodec.fromJson(SnapshotCodec.toJson(Delta.between(from, to)), Delta.class);
    return delta.applyTo(from);
  }

  private static String routeOf(RuntimeConfig config, String host, String path) {
    return assertInstanceOf(RouteDecision.Forward.class, config.route(
        new RequestHead("http", host, path, null, "GET", Map.<String, String>of()::get))).route();
  }

  @Test
  void aDeltaChangingOneHostRebuildsThatHostOnly() {
    Snapshot base = base();
    RuntimeConfig first = RuntimeConfig.build(base, null);
    List<VirtualHost> hosts = new ArrayList<>(base.virtualHosts());
    hosts.replaceAll(v -> v.host().equals("b.example.com") ? host("b.example.com", "c1", "/new") : v);
    RuntimeConfig second = RuntimeConfig.build(received(base, base.withVirtualHosts(hosts)), first);

    assertNotSame(first.indexOf("b.example.com"), second.indexOf("b.example.com"));
    for (String other : List.of("a.example.com", "*.example.com", VirtualHost.ANY_HOST)) {
      assertNotNull(second.indexOf(other), other);
      assertSame(first.indexOf(other), second.indexOf(other), other);
    }
    assertEquals("b.example.com/new", routeOf(second, "b.example.com", "/new/x"));
    assertEquals("a.example.com/", routeOf(second, "a.example.com", "/new/x"));
    assertEquals("*.example.com/", routeOf(second, "c.example.com", "/"));
    assertEquals("*/", routeOf(second, "elsewhere.test", "/"));
  }

  @Test
  void aDeltaRemovingAndAddingHostsAndClustersIndexesOnlyThoseAndRoutesThemAll() {
    Snapshot base = base();
    RuntimeConfig first = RuntimeConfig.build(base, null);
    // b goes with its cluster c1; d arrives with a new cluster; the wildcard and the host-less
    // hosts go away.
    List<VirtualHost> hosts = new ArrayList<>(List.of(base.virtualHosts().stream()
        .filter(v -> v.host().equals("a.example.com")).findFirst().orElseThrow(),
        host("d.example.com", "c9", "/")));
    List<Cluster> clusters = new ArrayList<>(base.clusters().stream()
        .filter(c -> c.name().equals("c0")).toList());
    clusters.add(new Cluster("c9", List.of(new Endpoint("10.0.0.9", 80))));
    RuntimeConfig second = RuntimeConfig.build(received(base, Snapshot.of(hosts, clusters, null)), first);

    assertSame(first.indexOf("a.example.com"), second.indexOf("a.example.com"));
    assertSame(first.cluster("c0"), second.cluster("c0"));
    assertEquals(null, second.indexOf("b.example.com"));
    assertEquals(null, second.indexOf("*.example.com"));
    assertEquals(null, second.indexOf(VirtualHost.ANY_HOST));
    assertEquals(null, second.cluster("c1"));
    assertEquals("d.example.com/", routeOf(second, "d.example.com", "/x"));
    assertEquals("10.0.0.9", second.cluster("c9").endpoints().get(0).endpoint().address());
    assertInstanceOf(RouteDecision.NotFound.class, second.route(new RequestHead("http",
        "b.example.com", "/", null, "GET", Map.<String, String>of()::get)));
  }

  @Test
  void aHostWhoseClusterWasReplacedIsRebuiltAndRoutesToTheNewInstance() {
    Snapshot base = base();
    RuntimeConfig first = RuntimeConfig.build(base, null);
    List<Cluster> clusters = new ArrayList<>(base.clusters());
    clusters.set(0, new Cluster("c0", List.of(new Endpoint("10.0.0.1", 80)),
        new ClusterPolicy(null, null, ClusterPolicy.LoadBalancer.of(ClusterPolicy.Policy.RANDOM),
            0, null, null, null, 0, null)));
    Snapshot changed = Snapshot.of(base.virtualHosts(), clusters, null);
    RuntimeConfig second = RuntimeConfig.build(received(base, changed), first);

    assertNotSame(first.cluster("c0"), second.cluster("c0"));
    assertNotSame(first.indexOf("a.example.com"), second.indexOf("a.example.com"));
    assertSame(first.indexOf("b.example.com"), second.indexOf("b.example.com"));
    RouteDecision.Forward forward = assertInstanceOf(RouteDecision.Forward.class, second.route(
        new RequestHead("http", "a.example.com", "/", null, "GET", Map.<String, String>of()::get)));
    assertSame(second.cluster("c0"), forward.cluster());
  }

  @Test
  void aHostTurningOnClientCertificatesRebuildsEveryHostBecauseTheirChainsDependOnIt() {
    Snapshot base = base();
    RuntimeConfig first = RuntimeConfig.build(base, null);
    List<VirtualHost> hosts = new ArrayList<>(base.virtualHosts());
    hosts.replaceAll(v -> !v.host().equals("b.example.com") ? v : new VirtualHost(v.host(), v.routes(),
        new TlsPolicy(null, false, null, new TlsPolicy.ClientValidation("-----BEGIN CERTIFICATE-----", false))));
    RuntimeConfig second = RuntimeConfig.build(received(base, base.withVirtualHosts(hosts)), first);

    for (String host : HOSTS) {
      assertNotSame(first.indexOf(host), second.indexOf(host), host);
    }
  }
}
