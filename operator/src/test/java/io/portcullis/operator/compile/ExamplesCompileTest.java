package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.assertAllGood;
import static io.portcullis.operator.compile.Fixtures.assertCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.Fixtures.Compiled;
import io.portcullis.operator.source.ManifestsSource;
import io.portcullis.snapshot.Cluster;
import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.WeightedBackend;
import io.portcullis.snapshot.filter.BodyLimit;
import io.portcullis.snapshot.filter.ConcurrencyLimit;
import io.portcullis.snapshot.filter.IpRules;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The checked-in examples compile cleanly, read the way local mode reads them. */
class ExamplesCompileTest {
  static final Path EXAMPLES = Path.of("..", "examples");

  private static Compiled compileDir(String name) throws Exception {
    try (ManifestsSource source = new ManifestsSource(EXAMPLES.resolve(name))) {
      source.start(() -> {});
      return new Compiled(new Compiler(CompilerSettings.defaults()).compile(source.state()));
    }
  }

  @Test
  @DisplayName("examples/policies compiles with every object accepted and every policy in place")
  void policies() throws Exception {
    Compiled c = compileDir("policies");
    assertAllGood(c.proxyRouteStatus("default", "policies"));
    assertAllGood(c.ingressStatus("default", "annotated"));
    RouteAction.Forward main = (RouteAction.Forward)
        c.route("proxyroute/default/policies/main/policies.localhost").action();
    assertEquals(List.of(1L, 99L),
        main.backends().stream().map(b -> (long) b.weight()).toList(), "the 99/1 canary split");
    assertNotNull(main.retries());
    assertNotNull(main.mirror());
    assertEquals(15_000, main.timeoutMillis());
    for (WeightedBackend b : main.backends()) {
      Cluster cluster = c.cluster(b.cluster());
      ClusterPolicy p = cluster.policyOrDefault();
      assertNotNull(p.outlierDetection(), cluster.name());
      assertNotNull(p.circuitBreakers(), cluster.name());
      assertEquals(2_000, p.connectTimeoutMillis(), cluster.name());
    }
    Cluster hello = c.cluster(main.backends().get(1).cluster());
    assertNotNull(hello.policy().healthCheck());
    assertEquals(30_000, hello.policy().slowStartMillis());
    assertTrue(hello.endpoints().stream().anyMatch(e -> e.terminating()), "the terminating endpoint drains");
  }

  @Test
  @DisplayName("examples/quickstart still compiles with every object accepted")
  void quickstart() throws Exception {
    Compiled c = compileDir("quickstart");
    for (ObjectStatus s : c.result().statuses()) {
      assertCondition(s, Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
    }
  }

  @Test
  @DisplayName("examples/filters compiles with every object accepted and each filter on its routes")
  void filters() throws Exception {
    Compiled c = compileDir("filters");
    for (ObjectStatus s : c.result().statuses()) {
      assertCondition(s, Reasons.ACCEPTED, true, Reasons.ACCEPTED, null);
    }
    assertEquals(1, c.route("proxyroute/default/cors/api/cors.localhost").filters().size());
    assertEquals(1, c.route("ingress/default/cors-ingress/cors-ingress.localhost/").filters().size());
    assertEquals(1, c.route("proxyroute/default/cached/pages/cache.localhost").filters().size());
    assertEquals(0, c.route("proxyroute/default/cached/live/cache.localhost").filters().size());
    assertEquals(1, c.route("ingress/default/cache-ingress/cache-ingress.localhost/").filters().size());
    assertEquals(1, c.route("proxyroute/default/waf/api/waf.localhost").filters().size());
    assertEquals(1, c.route("ingress/default/waf-ingress/waf-ingress.localhost/").filters().size());
    assertEquals(new io.portcullis.snapshot.filter.RateLimitPolicy(2, 1, 4, null),
        c.route("proxyroute/default/rate/api/rate.localhost").filters().get(0));
    assertEquals(new io.portcullis.snapshot.filter.RateLimitPolicy(10, 1, 20, "header:x-api-key"),
        c.route("proxyroute/default/rate/partners/rate.localhost").filters().get(0));
    assertEquals(new io.portcullis.snapshot.filter.RateLimitPolicy(5, 1, 10, null),
        c.route("ingress/default/rate-ingress/rate-ingress.localhost/").filters().get(0));
    assertEquals(List.of(new IpRules(List.of("127.0.0.3"), null)),
        c.route("proxyroute/default/ip-rules/admin/ip.localhost").filters());
    assertEquals(List.of(new IpRules(List.of("127.0.0.0/8", "::1"), List.of("127.0.0.2"))),
        c.route("ingress/default/ip-ingress/ip-ingress.localhost/").filters());
    assertEquals(List.of(new BodyLimit(1L << 20), new ConcurrencyLimit(2)),
        c.route("proxyroute/default/limits/main/limits.localhost").filters());
    assertEquals(List.of(new BodyLimit(8L << 20), new ConcurrencyLimit(2)),
        c.route("proxyroute/default/limits/uploads/limits.localhost").filters());
    assertEquals(List.of(new BodyLimit(1L << 20),
            new ConcurrencyLimit(10, "ingress/default/limits-ingress")),
        c.route("ingress/default/limits-ingress/limits-ingress.localhost/").filters());
  }

  @Test
  @DisplayName("examples/compression compiles with compression on every route but the raw one")
  void compression() throws Exception {
    Compiled c = compileDir("compression");
    for (ObjectStatus s : c.result().statuses()) {
      assertAllGood(s);
    }
    assertEquals(1, c.route("proxyroute/default/compress/main/compress.localhost").filters().size());
    assertEquals(0, c.route("proxyroute/default/compress/raw/compress.localhost").filters().size());
    assertEquals(1, c.route("ingress/default/compress-ingress/compress-ingress.localhost/").filters().size());
  }

  @Test
  @DisplayName("examples/static-site compiles into a static route with the ConfigMap's files")
  void staticSite() throws Exception {
    Compiled c = compileDir("static-site");
    assertAllGood(c.proxyRouteStatus("default", "site"));
    RouteAction.Static site =
        (RouteAction.Static) c.route("proxyroute/default/site/web/site.localhost").action();
    assertEquals(List.of("app.js", "app.js.gz", "index.html", "style.css"),
        ((io.portcullis.snapshot.StaticSource.Files) site.source()).files().stream()
            .map(io.portcullis.snapshot.StaticFile::path).toList());
    assertTrue(site.spaFallback());
    assertEquals(4, c.snapshot().blobs().size());
  }
}
