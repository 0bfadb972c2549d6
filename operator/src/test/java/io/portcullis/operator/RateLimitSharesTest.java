package io.portcullis.operator;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.RateLimitShares;
import io.portcullis.operator.source.ManifestsSource;
import io.portcullis.operator.status.LoggingStatusSink;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.RouteMatch;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.FilterConfig;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Rate limits are shared by the dataplanes the operator sees; the snapshot follows their count. */
class RateLimitSharesTest {
  private static final RateLimitPolicy LIMIT = RateLimitPolicy.perSecond(100, 50);
  @TempDir Path dir;
  private Operator operator;

  @AfterEach
  void stop() {
    if (operator != null) {
      operator.close();
    }
  }

  private static Snapshot snapshot(List<FilterConfig> routeFilters) {
    Route route = Route.of("r", RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("c"))
        .withFilters(routeFilters);
    return Snapshot.of(List.of(new VirtualHost("a.example.com", List.of(route))),
        List.of(new Cluster("c", List.of())), null);
  }

  private static RateLimitPolicy limitIn(Snapshot s) {
    return (RateLimitPolicy) s.virtualHosts().get(0).routes().get(0).filters().get(0);
  }

  private SnapshotStore start(Snapshot compiled) throws Exception {
    OperatorOptions options = OperatorOptions.parse(new String[] {
        "--manifests", dir.toString(), "--metrics-port", "0", "--snapshot-port", "0"}, Map.of());
    SnapshotStore store = new SnapshotStore();
    Function<ClusterState, CompileResult> compile = state -> new CompileResult(compiled, List.of());
    operator = new Operator(options, new ManifestsSource(dir, Duration.ofMillis(200)),
        new LoggingStatusSink(), compile, store, (s, bind) -> new StreamEndpoint() {
          @Override
          public int start() {
            return 1;
          }

          @Override
          public void close() {}
        });
    operator.start();
    await().atMost(Duration.ofSeconds(10)).until(store::hasPublished);
    return store;
  }

  @Test
  @DisplayName("a second dataplane halves each one's share; when it goes, the whole budget is back")
  void followsTheDataplaneCount() throws Exception {
    SnapshotStore store = start(snapshot(List.of(LIMIT)));
    assertEquals(1, limitIn(store.current()).dataplanes());
    store.connected("a", null);
    long b = store.connected("b", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> limitIn(store.current()).dataplanes() == 2);
    store.connected("c", null);
    await().atMost(Duration.ofSeconds(10)).until(() -> limitIn(store.current()).dataplanes() == 3);
    store.disconnected("b", b);
    await().atMost(Duration.ofSeconds(10)).until(() -> limitIn(store.current()).dataplanes() == 2);
  }

  @Test
  @DisplayName("without rate limits the dataplane count never changes the version")
  void noLimitsNoNewVersions() throws Exception {
    Snapshot plain = snapshot(List.of());
    SnapshotStore store = start(plain);
    store.connected("a", null);
    store.connected("b", null);
    assertSame(plain, RateLimitShares.divide(plain, 2));
    assertEquals(plain.version(), store.current().version());
  }

  @Test
  @DisplayName("dividing changes the version only when the count changes")
  void divideIsStable() {
    Snapshot limited = snapshot(List.of(LIMIT));
    assertSame(limited, RateLimitShares.divide(limited, 1));
    Snapshot two = RateLimitShares.divide(limited, 2);
    assertEquals(2, limitIn(two).dataplanes());
    assertEquals(two.version(), RateLimitShares.divide(limited, 2).version());
    assertEquals(limited.version(), RateLimitShares.divide(two, 1).version());
  }
}
