package io.portcullis.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.HeaderRewrite;
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
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A delta applied through the real {@link LiveConfig} (standard filter chains), as the stream
 * client applies one: hosts the delta does not name keep their compiled chains and index, and a
 * host whose cluster, or a snapshot-wide chain input, changed is rebuilt; a rejected delta
 * changes nothing the old config serves.
 */
class DeltaApplyTest {
  private final LiveConfig config = new LiveConfig(StandardFilters.chains(() -> 443));

  private static VirtualHost host(String host, String cluster, String prefix, TlsPolicy tls) {
    // Header changes give every route a chain of its own to compare.
    Route route = new Route(host + prefix, RouteMatch.path(new PathMatch.Prefix(prefix)),
        RouteAction.Forward.to(cluster), new HeaderRewrite(Map.of("x-host", host), List.of()),
        HeaderRewrite.NONE);
    return new VirtualHost(host, List.of(route), tls);
  }

  private static Snapshot base() {
    List<VirtualHost> hosts = new ArrayList<>();
    List<Cluster> clusters = new ArrayList<>();
    for (String name : List.of("a", "b", "c")) {
      clusters.add(new Cluster(name, List.of(new Endpoint("10.0.0.1", 80))));
      hosts.add(host(name + ".example.com", name, "/", null));
    }
    return Snapshot.of(hosts, clusters, null);
  }

  /** Applies {@code to} as the stream client does: the delta over the wire, then the result. */
  private RuntimeConfig receive(Snapshot to) {
    Snapshot from = config.current().snapshot();
    Delta delta = SnapshotCodec.fromJson(SnapshotCodec.toJson(Delta.between(from, to)), Delta.class);
    return config.apply(delta.applyTo(from), delta);
  }

  private static Snapshot withHost(Snapshot snapshot, String host, UnaryOperator<VirtualHost> change) {
    List<VirtualHost> hosts = new ArrayList<>(snapshot.virtualHosts());
    hosts.replaceAll(v -> v.host().equals(host) ? change.apply(v) : v);
    return snapshot.withVirtualHosts(hosts);
  }

  private static RouteDecision.Forward forward(RuntimeConfig config, String host) {
    return assertInstanceOf(RouteDecision.Forward.class, config.route(
        new RequestHead("http", host, "/x", null, "GET", Map.<String, String>of()::get)));
  }

  private static RouteDecision.Forward route(RuntimeConfig config, String host, String path) {
    return assertInstanceOf(RouteDecision.Forward.class, config.route(
        new RequestHead("http", host, path, null, "GET", Map.<String, String>of()::get)));
  }

  private static FilterChain chain(RuntimeConfig config, String host) {
    return forward(config, host).filters();
  }

  @Test
  @DisplayName("a one-host delta compiles that host's chain only; the others keep the very same chains")
  void untouchedHostsKeepTheirChains() {
    RuntimeConfig first = config.apply(base());
    RuntimeConfig second = receive(withHost(first.snapshot(), "b.example.com",
        v -> host("b.example.com", "b", "/x", null)));

    assertSame(chain(first, "a.example.com"), chain(second, "a.example.com"));
    assertSame(chain(first, "c.example.com"), chain(second, "c.example.com"));
    assertSame(first.indexOf("a.example.com"), second.indexOf("a.example.com"));
    assertNotSame(chain(first, "b.example.com"), chain(second, "b.example.com"));
    assertEquals("b.example.com/x", forward(second, "b.example.com").route());
    assertSame(second, config.current());
  }

  @Test
  @DisplayName("the cluster list is handed on by a route-only change and follows a cluster change; each config names the change it was built with")
  void clustersFollowChanges() {
    RuntimeConfig first = config.apply(base());
    var clusters = first.clusters();
    assertNull(first.change());
    RuntimeConfig second = receive(withHost(first.snapshot(), "b.example.com",
        v -> host("b.example.com", "b", "/x", null)));
    assertSame(clusters, second.clusters());
    assertEquals(List.of("b.example.com"),
        second.change().upsertVirtualHosts().stream().map(v -> v.host()).toList());

    List<Cluster> moved = new ArrayList<>(second.snapshot().clusters());
    moved.replaceAll(c -> !c.name().equals("a") ? c : new Cluster("a", List.of(new Endpoint("10.0.0.7", 80))));
    RuntimeConfig third = receive(Snapshot.of(second.snapshot().virtualHosts(), moved, null));
    assertEquals(List.of("a", "b", "c"), third.clusters().stream().map(c -> c.name()).toList());
    assertEquals(List.of("a"), third.change().upsertClusters().stream().map(Cluster::name).toList());
    assertEquals(second.version(), third.change().baseVersion());
  }

  @Test
  @DisplayName("a host whose cluster was replaced (new policy) is rebuilt and routes to the new instance")
  void replacedClusterRebuildsItsHosts() {
    RuntimeConfig first = config.apply(base());
    List<Cluster> clusters = new ArrayList<>(first.snapshot().clusters());
    clusters.replaceAll(c -> !c.name().equals("a") ? c : new Cluster("a", c.endpoints(),
        new ClusterPolicy(null, null, ClusterPolicy.LoadBalancer.of(ClusterPolicy.Policy.RANDOM),
            0, null, null, null, 0, null)));
    RuntimeConfig second = receive(Snapshot.of(first.snapshot().virtualHosts(), clusters, null));

    assertNotSame(first.cluster("a"), second.cluster("a"));
    assertSame(second.cluster("a"), forward(second, "a.example.com").cluster());
    assertNotSame(first.indexOf("a.example.com"), second.indexOf("a.example.com"));
    assertSame(first.indexOf("b.example.com"), second.indexOf("b.example.com"));
  }

  @Test
  @DisplayName("a replaced cluster re-indexes every host that routes to it, in the delta or not, and no other")
  void replacedClusterReindexesItsUsersOnly() {
    List<VirtualHost> hosts = new ArrayList<>(base().virtualHosts());
    hosts.add(host("d.example.com", "a", "/", null));
    hosts.add(host("e.example.com", "a", "/", null));
    RuntimeConfig first = config.apply(Snapshot.of(hosts, base().clusters(), null));
    List<Cluster> clusters = new ArrayList<>(first.snapshot().clusters());
    clusters.replaceAll(c -> !c.name().equals("a") ? c : new Cluster("a", c.endpoints(),
        new ClusterPolicy(null, null, ClusterPolicy.LoadBalancer.of(ClusterPolicy.Policy.RANDOM),
            0, null, null, null, 0, null)));
    // In the same delta: d.example.com changes (still on a), e.example.com goes, b moves to a.
    List<VirtualHost> next = new ArrayList<>();
    for (VirtualHost v : first.snapshot().virtualHosts()) {
      if (v.host().equals("d.example.com")) {
        next.add(host("d.example.com", "a", "/d", null));
      } else if (v.host().equals("b.example.com")) {
        next.add(host("b.example.com", "a", "/", null));
      } else if (!v.host().equals("e.example.com")) {
        next.add(v);
      }
    }
    RuntimeConfig second = receive(Snapshot.of(next, clusters, null));

    for (String host : List.of("a.example.com", "b.example.com")) {
      assertSame(second.cluster("a"), forward(second, host).cluster(), host);
    }
    assertSame(second.cluster("a"), route(second, "d.example.com", "/d/x").cluster());
    assertNull(second.indexOf("e.example.com"));
    assertSame(first.indexOf("c.example.com"), second.indexOf("c.example.com"));

    // The next delta still knows who routes to a: another policy change re-indexes them again.
    clusters.replaceAll(c -> !c.name().equals("a") ? c : new Cluster("a", c.endpoints()));
    RuntimeConfig third = receive(Snapshot.of(next, clusters, null));
    for (String host : List.of("a.example.com", "b.example.com")) {
      assertSame(third.cluster("a"), forward(third, host).cluster(), host);
    }
    assertSame(third.cluster("a"), route(third, "d.example.com", "/d/x").cluster());
    assertSame(second.indexOf("c.example.com"), third.indexOf("c.example.com"));
  }

  @Test
  @DisplayName("a host and its cluster removed together leave every other host as it was")
  void removedHostAndCluster() {
    RuntimeConfig first = config.apply(base());
    Snapshot without = Snapshot.of(
        first.snapshot().virtualHosts().stream().filter(v -> !v.host().startsWith("b.")).toList(),
        first.snapshot().clusters().stream().filter(c -> !c.name().equals("b")).toList(), null);
    RuntimeConfig second = receive(without);

    assertSame(first.indexOf("a.example.com"), second.indexOf("a.example.com"));
    assertEquals(null, second.cluster("b"));
    assertInstanceOf(RouteDecision.NotFound.class, second.route(
        new RequestHead("http", "b.example.com", "/", null, "GET", Map.<String, String>of()::get)));
    assertEquals(List.of("a", "c"), second.clusters().stream().map(c -> c.name()).toList());
  }

  @Test
  @DisplayName("one host turning on client certificates recompiles every host's chain (they must refuse such connections), and turning it off again too")
  void clientCertificatesAreASnapshotWideInput() {
    RuntimeConfig first = config.apply(base());
    TlsPolicy mtls = new TlsPolicy(null, false, null,
        new TlsPolicy.ClientValidation("-----BEGIN CERTIFICATE-----", false));
    RuntimeConfig second = receive(withHost(first.snapshot(), "b.example.com",
        v -> host("b.example.com", "b", "/", mtls)));
    assertNotSame(chain(first, "a.example.com"), chain(second, "a.example.com"));
    assertTrue(chain(second, "a.example.com").size() > chain(first, "a.example.com").size());

    RuntimeConfig third = receive(withHost(second.snapshot(), "c.example.com",
        v -> host("c.example.com", "c", "/y", null)));
    assertSame(chain(second, "a.example.com"), chain(third, "a.example.com"));

    RuntimeConfig fourth = receive(withHost(third.snapshot(), "b.example.com",
        v -> host("b.example.com", "b", "/", null)));
    assertNotSame(chain(third, "a.example.com"), chain(fourth, "a.example.com"));
    assertEquals(chain(first, "a.example.com").size(), chain(fourth, "a.example.com").size());
  }

  @Test
  @DisplayName("a rejected delta leaves the old config serving, and the endpoints it carried do not reach the old clusters")
  void rejectedDeltaChangesNothing() {
    RuntimeConfig first = config.apply(base());
    List<Cluster> clusters = new ArrayList<>(first.snapshot().clusters());
    clusters.replaceAll(c -> !c.name().equals("a") ? c
        : new Cluster("a", List.of(new Endpoint("10.9.9.9", 80))));
    VirtualHost badRegex = new VirtualHost("b.example.com", List.of(Route.of("b-regex",
        RouteMatch.path(new PathMatch.Regex("/(unclosed")), RouteAction.Forward.to("b"))));
    Snapshot bad = Snapshot.of(withHost(first.snapshot(), "b.example.com", v -> badRegex)
        .virtualHosts(), clusters, null);

    assertThrows(ConfigRejectedException.class, () -> receive(bad));
    assertSame(first, config.current());
    assertEquals("10.0.0.1",
        forward(config.current(), "a.example.com").cluster().endpoints().get(0).endpoint().address());
  }

  @Test
  @DisplayName("a delta that does not lead from the served version is not trusted: the change is found by comparing the snapshots")
  void staleDeltaIsIgnored() {
    RuntimeConfig first = config.apply(base());
    Snapshot second = withHost(first.snapshot(), "b.example.com", v -> host("b.example.com", "b", "/x", null));
    config.apply(second);
    // From first, only c changes; b is back as it was in first. Trusted on second, the delta
    // would leave b with second's index.
    Snapshot third = withHost(first.snapshot(), "c.example.com", v -> host("c.example.com", "c", "/x", null));
    RuntimeConfig applied = config.apply(third, Delta.between(first.snapshot(), third));
    assertEquals("c.example.com/x", forward(applied, "c.example.com").route());
    assertEquals("b.example.com/", forward(applied, "b.example.com").route());
  }
}
