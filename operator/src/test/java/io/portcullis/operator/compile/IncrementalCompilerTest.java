package io.portcullis.operator.compile;

import io.portcullis.operator.crd.PolicySpec;
import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Endpoint;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cheap path for endpoint churn: only the changed Services' clusters are recomputed, and the
 * outcome is always exactly what a full compile gives.
 */
class IncrementalCompilerTest {
  private static final Instant T0 = Instant.parse("2026-06-01T00:00:00Z");

  private final Service web = service("default", "web").port(null, 80).build();
  private final Service api = service("default", "api").port(null, 80).build();
  private final EndpointSlice apiSlice = slice("default", "api").port(null, 9000).ready("10.0.1.1").build();
  private final ProxyRoute route = proxyRoute("default", "shop").hosts("shop.example.com")
      .route(route("web").prefix("/").to("web", 80))
      .route(leastRequest(route("api").prefix("/api").to("api", 80))).build();

  private static RouteFixture leastRequest(RouteFixture r) {
    r.spec.loadBalancer = new PolicySpec.LoadBalancer();
    r.spec.loadBalancer.policy = "LeastRequest";
    return r;
  }

  private ClusterState state(Instant now, EndpointSlice... webSlices) {
    List<EndpointSlice> slices = new ArrayList<>(List.of(webSlices));
    slices.add(apiSlice);
    return new ClusterState(List.of(ourClass()), List.of(), List.of(route), List.of(web, api), slices,
        List.of(), now);
  }

  private static EndpointSlice webSlice(String... addresses) {
    return slice("default", "web").port(null, 8080).ready(addresses).build();
  }

  private static CompileResult full(ClusterState state) {
    return new Compiler(CompilerSettings.defaults()).compile(state);
  }

  @Test
  @DisplayName("a scaled-up Service takes the cheap path, equals a full compile, and the delta holds only its cluster")
  void scaleUpIsCheap() {
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    CompileResult first = compiler.apply(state(T0, webSlice("10.0.0.1")));
    ClusterState scaled = state(T0.plusSeconds(1), webSlice("10.0.0.1", "10.0.0.2"));
    CompileResult second = compiler.apply(scaled);

    assertEquals(1, compiler.fullCompiles());
    assertEquals(1, compiler.endpointUpdates());
    assertEquals(full(scaled).snapshot(), second.snapshot());
    assertEquals(full(scaled).statuses(), second.statuses());
    Delta delta = Delta.between(first.snapshot(), second.snapshot());
    assertEquals(List.of("default/web:80"), delta.upsertClusters().stream().map(c -> c.name()).toList());
    assertTrue(delta.isEndpointOnly());
  }

  @Test
  @DisplayName("a pod going into termination is marked terminating on the cheap path")
  void terminatingIsCheap() {
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    compiler.apply(state(T0, webSlice("10.0.0.1", "10.0.0.2")));
    EndpointSlice draining = slice("default", "web").port(null, 8080).ready("10.0.0.1")
        .terminatingServing("10.0.0.2").build();
    ClusterState next = state(T0, draining);
    CompileResult result = compiler.apply(next);
    assertEquals(1, compiler.endpointUpdates());
    assertEquals(List.of(new Endpoint("10.0.0.1", 8080), new Endpoint("10.0.0.2", 8080, true)),
        result.snapshot().clustersByName().get("default/web:80").endpoints());
    assertEquals(full(next).snapshot(), result.snapshot());
  }

  @Test
  @DisplayName("the last ready endpoint going away changes a condition, so its namespace is recompiled")
  void lastEndpointIsNotEndpointOnly() {
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    compiler.apply(state(T0, webSlice("10.0.0.1")));
    ClusterState empty = state(T0, webSlice());
    CompileResult result = compiler.apply(empty);
    assertEquals(1, compiler.fullCompiles());
    assertEquals(1, compiler.partialCompiles());
    assertEquals(0, compiler.endpointUpdates());
    assertEquals(full(empty), result);
  }

  @Test
  @DisplayName("an unchanged state takes the full path, a changed Service the partial one, and time alone changes neither")
  void otherChangesAreFull() {
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    EndpointSlice slice = webSlice("10.0.0.1");
    compiler.apply(state(T0, slice));
    compiler.apply(state(T0, slice)); // periodic recompile: nothing changed
    compiler.apply(new ClusterState(List.of(ourClass()), List.of(), List.of(route),
        List.of(service("default", "web").port(null, 80).port("admin", 81).build(), api),
        List.of(slice, apiSlice), List.of(), T0));
    assertEquals(2, compiler.fullCompiles());
    assertEquals(1, compiler.partialCompiles());
    ClusterState later = state(T0.plus(Duration.ofHours(2)), webSlice("10.0.0.1", "10.0.0.3"));
    CompileResult result = compiler.apply(later);
    assertEquals(2, compiler.fullCompiles(), "no certificate can expire: an old full compile still holds");
    assertEquals(2, compiler.partialCompiles(), "the Service changed back: a partial compile");
    assertEquals(full(later), result);
  }

  @Test
  @DisplayName("a served certificate that expires between two changes: the change after it takes the full path and stops serving it")
  void expiryTakesTheFullPath() {
    String host = "shop.example.com";
    TestCertificates.Issued hourLong = TestCertificates.issue(TestCertificates.ecKeys(),
        T0.minus(Duration.ofDays(1)), T0.plus(Duration.ofHours(1)), host);
    io.fabric8.kubernetes.api.model.Secret secret = TestCertificates.tlsSecret("default", "shop-tls", hourLong);
    java.util.function.BiFunction<Instant, EndpointSlice, ClusterState> at = (now, slice) -> new ClusterState(
        List.of(ourClass()),
        List.of(ingress("default", "shop").host(host).prefix("/", "web", 80).tls("shop-tls", host).build()),
        List.of(), List.of(web), List.of(slice), List.of(secret), now);
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    assertTrue(compiler.apply(at.apply(T0, webSlice("10.0.0.1"))).snapshot().certificatesByName()
        .containsKey("default/shop-tls"));

    ClusterState before = at.apply(T0.plus(Duration.ofMinutes(59)), webSlice("10.0.0.2"));
    CompileResult stillValid = compiler.apply(before);
    assertEquals(1, compiler.endpointUpdates(), "an hour-long certificate still valid: the cheap path");
    assertEquals(full(before), stillValid);

    ClusterState after = at.apply(T0.plus(Duration.ofMinutes(61)), webSlice("10.0.0.3"));
    CompileResult expired = compiler.apply(after);
    assertEquals(2, compiler.fullCompiles(), "the certificate expired since it was judged: a full compile");
    assertEquals(full(after), expired);
    assertTrue(expired.snapshot().certificatesByName().isEmpty());
    assertTrue(expired.statuses().toString().contains("expired"), expired.statuses().toString());

    ClusterState later = at.apply(T0.plus(Duration.ofHours(3)), webSlice("10.0.0.4"));
    assertEquals(full(later), compiler.apply(later));
    assertEquals(2, compiler.fullCompiles(), "nothing left to expire: cheap again");
  }

  @Test
  @DisplayName("only the changed Service's clusters are touched; the others are the same objects")
  void othersUntouched() {
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    CompileResult first = compiler.apply(state(T0, webSlice("10.0.0.1")));
    CompileResult second = compiler.apply(state(T0, webSlice("10.0.0.2")));
    String apiCluster = first.snapshot().clusters().stream()
        .filter(c -> c.name().startsWith("default/api:80/")).findFirst().orElseThrow().name();
    assertSame(first.snapshot().clustersByName().get(apiCluster), second.snapshot().clustersByName().get(apiCluster));
    assertEquals(1, compiler.endpointUpdates());
  }

  @Test
  @DisplayName("through the informer cache, a changed EndpointSlice takes the cheap path")
  void throughTheCache() {
    io.portcullis.operator.cache.ResourceCache cache = new io.portcullis.operator.cache.ResourceCache();
    EndpointSlice before = webSlice("10.0.0.1");
    before.getMetadata().setName("web-1");
    before.getMetadata().setResourceVersion("1");
    List.of(ourClass(), route, web, api, apiSlice, before).forEach(cache::upsert);
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    compiler.apply(cache.state().withNow(T0));
    EndpointSlice after = webSlice("10.0.0.1", "10.0.0.2");
    after.getMetadata().setName("web-1");
    after.getMetadata().setResourceVersion("2");
    assertTrue(cache.upsert(after));
    CompileResult result = compiler.apply(cache.state().withNow(T0.plusSeconds(5)));
    assertEquals(1, compiler.endpointUpdates());
    assertEquals(full(cache.state()).snapshot(), result.snapshot());
  }
}
