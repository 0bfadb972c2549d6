package io.portcullis.dataplane.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.portcullis.dataplane.upstream.UpstreamKey;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Which pooled connection keys a config change retires, counted over the clusters. */
class ConnectionKeysTest {
  private static final Endpoint E1 = new Endpoint("10.0.0.1", 80);
  private static final Endpoint E2 = new Endpoint("10.0.0.2", 80);
  private static final Endpoint E3 = new Endpoint("10.0.0.3", 80);

  private final ConnectionKeys keys = new ConnectionKeys();

  private static Snapshot snapshot(Cluster... clusters) {
    List<Route> routes = new ArrayList<>();
    for (Cluster c : clusters) {
      routes.add(Route.of("r/" + c.name(), RouteMatch.path(new PathMatch.Prefix("/" + c.name())),
          RouteAction.Forward.to(c.name())));
    }
    return Snapshot.of(List.of(new VirtualHost("*", routes)), List.of(clusters), null);
  }

  private ConnectionKeys.Retired follow(Snapshot from, Snapshot to) {
    return keys.follow(to, Delta.between(from, to));
  }

  private static Set<UpstreamKey> plain(Endpoint... endpoints) {
    Set<UpstreamKey> result = new java.util.HashSet<>();
    for (Endpoint e : endpoints) {
      result.add(UpstreamKey.plain(e));
    }
    return result;
  }

  @Test
  @DisplayName("the first config is counted whole: keep only its keys (a terminating endpoint under its address)")
  void firstConfigSweeps() {
    Snapshot s = snapshot(new Cluster("a", List.of(E1, new Endpoint("10.0.0.2", 80, true))));
    ConnectionKeys.Retired retired = keys.follow(s, null);
    assertEquals(new ConnectionKeys.KeepOnly(plain(E1, E2)), retired);
  }

  @Test
  @DisplayName("an endpoint that leaves its only cluster is retired; one still in another cluster is not")
  void countsOverClusters() {
    Snapshot s1 = snapshot(new Cluster("a", List.of(E1, E2)), new Cluster("b", List.of(E2)));
    keys.follow(s1, null);
    Snapshot s2 = snapshot(new Cluster("a", List.of(E3)), new Cluster("b", List.of(E2)));
    assertEquals(new ConnectionKeys.Drop(plain(E1)), follow(s1, s2));
    Snapshot s3 = snapshot(new Cluster("a", List.of(E3)));
    assertEquals(new ConnectionKeys.Drop(plain(E2)), follow(s2, s3));
    assertEquals(1, keys.size());
  }

  @Test
  @DisplayName("an endpoint moved from one cluster to another in one delta keeps its connections")
  void movedEndpointStays() {
    Snapshot s1 = snapshot(new Cluster("a", List.of(E1)), new Cluster("b", List.of(E2)));
    keys.follow(s1, null);
    Snapshot s2 = snapshot(new Cluster("a", List.of(E1, E2)), new Cluster("b", List.of(E3)));
    assertEquals(new ConnectionKeys.Drop(Set.of()), follow(s1, s2));
  }

  @Test
  @DisplayName("a cluster that now reaches its endpoints over TLS retires their plaintext keys")
  void policyChangeRetiresTheOldKeys() {
    Snapshot s1 = snapshot(new Cluster("ns/a:80", List.of(E1)));
    keys.follow(s1, null);
    ClusterPolicy tls = new ClusterPolicy(null, new ClusterPolicy.UpstreamTls(null, null, true),
        null, 0, null, null, null, 0, null);
    Snapshot s2 = snapshot(new Cluster("ns/a:80", List.of(E1), tls));
    ConnectionKeys.Drop drop = assertInstanceOf(ConnectionKeys.Drop.class, follow(s1, s2));
    assertEquals(plain(E1), drop.gone());
  }

  @Test
  @DisplayName("a delta that does not lead on from the last config followed is counted whole")
  void gapSweeps() {
    Snapshot s1 = snapshot(new Cluster("a", List.of(E1)));
    Snapshot s2 = snapshot(new Cluster("a", List.of(E2)));
    Snapshot s3 = snapshot(new Cluster("a", List.of(E3)));
    keys.follow(s1, null);
    assertEquals(new ConnectionKeys.KeepOnly(plain(E3)), keys.follow(s3, Delta.between(s2, s3)));
  }
}
