package io.portcullis.operator.compile;

import io.portcullis.operator.crd.FilterSpec;
import io.portcullis.operator.crd.ActionSpec;
import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.StaticBlob;
import io.portcullis.snapshot.StaticFile;
import io.portcullis.snapshot.StaticSource;
import io.portcullis.snapshot.filter.CompressionPolicy;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** ProxyRoute {@code static} and {@code compression}, Ingress {@code portcullis.io/compression}. */
class StaticAndCompressionCompileTest {
  private static final String SITE = "site.example.com";
  private static final String ROUTE = "proxyroute/default/site/web/site.example.com";

  private static ConfigMap configMap(String name, Map<String, String> data, Map<String, String> binary) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace("default").withName(name)
        .withCreationTimestamp("2026-01-02T03:04:05Z").endMetadata()
        .withData(data).withBinaryData(binary).build();
  }

  private static RouteFixture staticRoute(String configMap, String directory) {
    RouteFixture r = route("web").prefix("/");
    r.spec.staticContent = new ActionSpec.StaticContent();
    r.spec.staticContent.configMap = configMap;
    r.spec.staticContent.directory = directory;
    return r;
  }

  private static ProxyRouteFixture site(RouteFixture r) {
    return proxyRoute("default", "site").hosts(SITE).route(r);
  }

  @Test
  @DisplayName("a ConfigMap's text and binary keys become the site's files, content-addressed")
  void configMapSite() {
    byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2};
    Compiled c = compile(site(staticRoute("web", null)), configMap("web",
        Map.of("index.html", "<h1>hi</h1>", "copy.html", "<h1>hi</h1>"),
        Map.of("logo.png", Base64.getEncoder().encodeToString(png))));
    RouteAction.Static action = assertInstanceOf(RouteAction.Static.class, c.route(ROUTE).action());
    StaticSource.Files files = assertInstanceOf(StaticSource.Files.class, action.source());
    assertEquals(List.of("copy.html", "index.html", "logo.png"),
        files.files().stream().map(StaticFile::path).toList());
    assertEquals(1767323045L, files.lastModified());
    assertEquals("index.html", action.index());
    assertEquals(2, c.snapshot().blobs().size(), "equal files share one blob");
    StaticBlob logo = c.snapshot().blobsByDigest().get(files.files().get(2).digest());
    assertEquals(new String(png, StandardCharsets.ISO_8859_1),
        new String(logo.bytes(), StandardCharsets.ISO_8859_1));
    assertAllGood(c.proxyRouteStatus("default", "site"));
  }

  @Test
  @DisplayName("changing one file of a site sends only that file's content in the delta")
  void deltaCarriesChangedFileOnly() {
    Compiled before = compile(site(staticRoute("web", null)),
        configMap("web", Map.of("index.html", "v1", "app.js", "same"), null));
    Compiled after = compile(site(staticRoute("web", null)),
        configMap("web", Map.of("index.html", "v2", "app.js", "same"), null));
    Delta d = Delta.between(before.snapshot(), after.snapshot());
    assertEquals(List.of(StaticBlob.ofText("v2")), d.upsertBlobs());
    assertEquals(List.of(StaticBlob.ofText("v1").digest()), d.removeBlobs());
  }

  @Test
  @DisplayName("a missing ConfigMap answers 503 and says so in ResolvedRefs")
  void missingConfigMap() {
    Compiled c = compile(site(staticRoute("nope", null)));
    assertEquals(new RouteAction.DirectResponse(503, "static content unavailable\n"),
        c.route(ROUTE).action());
    assertCondition(c.proxyRouteStatus("default", "site"), Reasons.RESOLVED_REFS, false,
        StaticSites.CONFIG_MAP_NOT_FOUND, "default/nope");
  }

  @Test
  @DisplayName("a ConfigMap over the size limit answers 503 with a ConfigMapTooLarge condition")
  void configMapTooLarge() {
    String big = "x".repeat((int) StaticSites.MAX_SITE_BYTES + 1);
    Compiled c = compile(site(staticRoute("web", null)), configMap("web", Map.of("big.txt", big), null));
    assertInstanceOf(RouteAction.DirectResponse.class, c.route(ROUTE).action());
    assertTrue(c.snapshot().blobs().isEmpty());
    assertCondition(c.proxyRouteStatus("default", "site"), Reasons.RESOLVED_REFS, false,
        StaticSites.CONFIG_MAP_TOO_LARGE, "more than");
  }

  @Test
  @DisplayName("a directory site, with index and SPA fallback")
  void directorySite() {
    RouteFixture r = staticRoute(null, "/srv/www/");
    r.spec.staticContent.index = "home.html";
    r.spec.staticContent.spaFallback = true;
    Compiled c = compile(site(r));
    assertEquals(new RouteAction.Static(new StaticSource.Directory("/srv/www"), "home.html", true),
        c.route(ROUTE).action());
  }

  @Test
  @DisplayName("static with both sources, or beside backends, rejects the route")
  void invalidStatic() {
    Compiled both = compile(site(staticRoute("web", "/srv")));
    assertCondition(both.proxyRouteStatus("default", "site"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "exactly one of configMap or directory");
    Compiled relative = compile(site(staticRoute(null, "srv")));
    assertCondition(relative.proxyRouteStatus("default", "site"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "absolute");
    Compiled withBackends = compile(site(staticRoute("web", null).to("api", 80)),
        backendWithEndpoints("default", "api", 80, "10.0.0.1"));
    assertCondition(withBackends.proxyRouteStatus("default", "site"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "static");
  }

  @Test
  @DisplayName("spec-level compression applies to every route; a route's own replaces or disables it")
  void proxyRouteCompression() {
    FilterSpec.Compression spec = new FilterSpec.Compression();
    spec.algorithms = List.of("gzip");
    RouteFixture a = route("a").prefix("/a").to("api", 80);
    RouteFixture b = route("b").prefix("/b").to("api", 80);
    b.spec.compression = new FilterSpec.Compression();
    b.spec.compression.minLength = 10;
    RouteFixture off = route("off").prefix("/off").to("api", 80);
    off.spec.compression = new FilterSpec.Compression();
    off.spec.compression.enabled = false;
    ProxyRouteFixture pr = proxyRoute("default", "shop").hosts(SITE).route(a).route(b).route(off);
    pr.build().getSpec().compression = spec;
    Compiled c = compile(pr, backendWithEndpoints("default", "api", 80, "10.0.0.1"));
    assertEquals(List.of(new CompressionPolicy(List.of("gzip"), 0, List.of(), 0, 0, 0)),
        c.route("proxyroute/default/shop/a/" + SITE).filters());
    assertEquals(List.of(new CompressionPolicy(List.of(), 10, List.of(), 0, 0, 0)),
        c.route("proxyroute/default/shop/b/" + SITE).filters());
    assertTrue(c.route("proxyroute/default/shop/off/" + SITE).filters().isEmpty());
  }

  @Test
  @DisplayName("an invalid compression setting rejects the route with the field named")
  void invalidCompression() {
    RouteFixture r = route("a").prefix("/a").to("api", 80);
    r.spec.compression = new FilterSpec.Compression();
    r.spec.compression.algorithms = List.of("deflate");
    Compiled c = compile(proxyRoute("default", "shop").hosts(SITE).route(r),
        backendWithEndpoints("default", "api", 80, "10.0.0.1"));
    assertCondition(c.proxyRouteStatus("default", "shop"), Reasons.ACCEPTED, false,
        Reasons.INVALID_ROUTE, "compression: compression algorithm must be one of");
  }

  @Test
  @DisplayName("portcullis.io/compression: \"true\" compresses every path of an Ingress")
  void ingressAnnotation() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(CompressionTranslation.ANNOTATION, "true")
        .annotation(CompressionTranslation.ALGORITHMS_ANNOTATION, "zstd, gzip")
        .host(SITE).path("Prefix", "/", backend("api", 80)),
        backendWithEndpoints("default", "api", 80, "10.0.0.1"));
    Route r = c.route("ingress/default/shop/site.example.com/");
    assertEquals(List.of(new CompressionPolicy(List.of("zstd", "gzip"), 0, List.of(), 0, 0, 0)),
        r.filters());
    assertAllGood(c.ingressStatus("default", "shop"));
  }

  @Test
  @DisplayName("a bad compression annotation warns and falls back to the default")
  void badIngressAnnotation() {
    Compiled c = compile(ingress("default", "shop")
        .annotation(CompressionTranslation.ANNOTATION, "true")
        .annotation(CompressionTranslation.MIN_LENGTH_ANNOTATION, "lots")
        .host(SITE).path("Prefix", "/", backend("api", 80)),
        backendWithEndpoints("default", "api", 80, "10.0.0.1"));
    assertEquals(List.of(CompressionPolicy.defaults()), c.route("ingress/default/shop/site.example.com/").filters());
    assertTrue(warning(c.ingressStatus("default", "shop"), Reasons.INVALID_ANNOTATION)
        .message().contains(CompressionTranslation.MIN_LENGTH_ANNOTATION));
    Compiled off = compile(ingress("default", "shop")
        .host(SITE).path("Prefix", "/", backend("api", 80)),
        backendWithEndpoints("default", "api", 80, "10.0.0.1"));
    assertFalse(off.route("ingress/default/shop/site.example.com/").filters().stream()
        .anyMatch(f -> f instanceof CompressionPolicy));
  }

  @Test
  @DisplayName("a ConfigMap that changes with an endpoint is a full compile, not an endpoint update")
  void configMapChangeIsNotEndpointOnly() {
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    var route = site(staticRoute("web", null)).route(route("api").prefix("/api").to("api", 80)).build();
    compiler.apply(state(route, "v1", "10.0.0.1"));
    assertEquals(List.of(StaticBlob.ofText("v2")),
        compiler.apply(state(route, "v2", "10.0.0.2")).snapshot().blobs());
  }

  private static ClusterState state(
      io.portcullis.operator.crd.ProxyRoute route, String index, String endpoint) {
    List<io.fabric8.kubernetes.api.model.HasMetadata> backend =
        backendWithEndpoints("default", "api", 80, endpoint);
    return new ClusterState(List.of(ourClass()), List.of(), List.of(route),
        backend.stream().filter(o -> o instanceof io.fabric8.kubernetes.api.model.Service)
            .map(o -> (io.fabric8.kubernetes.api.model.Service) o).toList(),
        backend.stream()
            .filter(o -> o instanceof io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice)
            .map(o -> (io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice) o).toList(),
        List.of(), null, List.of(configMap("web", Map.of("index.html", index), null)));
  }
}
