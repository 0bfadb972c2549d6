package io.portcullis.operator.source;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestsSourceTest {
  @TempDir Path dir;
  private final AtomicInteger changes = new AtomicInteger();
  private final List<String> problems = new CopyOnWriteArrayList<>();
  private ManifestsSource source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  private void start() throws Exception {
    source = new ManifestsSource(dir, Duration.ofMillis(200), problems::add);
    source.start(changes::incrementAndGet);
  }

  private static String ingress(String name, String host) {
    return """
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: %s
        spec:
          ingressClassName: portcullis
          rules:
          - host: %s
            http:
              paths:
              - path: /
                pathType: Prefix
                backend:
                  service: {name: web, port: {number: 80}}
        """
        .formatted(name, host);
  }

  private static final String SERVICE_AND_ROUTE =
      """
      apiVersion: v1
      kind: Service
      metadata: {name: web, namespace: shop}
      spec:
        ports: [{name: http, port: 80}]
      ---
      apiVersion: apps/v1
      kind: Deployment
      metadata: {name: web, namespace: shop}
      spec: {}
      ---
      apiVersion: portcullis.io/v1alpha1
      kind: ProxyRoute
      metadata: {name: api, namespace: shop}
      spec:
        hosts: [api.example.com]
        routes:
        - match: {path: {prefix: /v1}}
          backends: [{service: web, port: 80}]
      """;

  private static List<String> names(List<? extends HasMetadata> objects) {
    return objects.stream()
        .map(o -> o.getMetadata().getNamespace() + "/" + o.getMetadata().getName())
        .toList();
  }

  @Test
  void initialLoadReadsEveryDocumentOfTheKindsWeWatchRecursively() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), ingress("first", "a.example.com"));
    Files.createDirectories(dir.resolve("shop"));
    Files.writeString(dir.resolve("shop/b.yml"), SERVICE_AND_ROUTE);
    Files.writeString(dir.resolve("notes.txt"), "not yaml: [");
    start();

    assertTrue(source.synced());
    assertEquals(1, changes.get());
    ClusterState state = source.state();
    assertEquals(List.of("default/first"), names(state.ingresses()));
    assertEquals(List.of("shop/web"), names(state.services()));
    assertEquals(List.of("shop/api"), names(state.proxyRoutes()));
    ProxyRoute route = state.proxyRoutes().get(0);
    assertEquals("/v1", route.getSpec().routes.get(0).match.path.prefix);
    assertEquals(List.of(), problems);
  }

  @Test
  void aMountedConfigMapIsReadOnceThroughItsSymlinks() throws Exception {
    // What the kubelet lays out: a timestamped dot directory, ..data pointing at it, and a
    // symlink per key.
    Path real = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.123"));
    Files.writeString(real.resolve("app.yaml"), ingress("app", "a.example.com"));
    Files.createSymbolicLink(dir.resolve("..data"), real.getFileName());
    Files.createSymbolicLink(dir.resolve("app.yaml"), Path.of("..data/app.yaml"));
    start();
    assertEquals(List.of("default/app"), names(source.state().ingresses()));
    assertEquals(List.of(), problems);
  }

  @Test
  void objectsGetCreationTimesInFileOrderAndAGeneration() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), ingress("older", "a.example.com"));
    Files.writeString(dir.resolve("b.yaml"), ingress("newer", "a.example.com"));
    start();
    var ingresses = source.state().ingresses();
    Instant older = Instant.parse(ingresses.get(1).getMetadata().getCreationTimestamp());
    Instant newer = Instant.parse(ingresses.get(0).getMetadata().getCreationTimestamp());
    assertEquals("newer", ingresses.get(0).getMetadata().getName());
    assertTrue(older.isBefore(newer));
    assertEquals(1L, ingresses.get(0).getMetadata().getGeneration());
  }

  @Test
  void editingAFileIsNoticedAndBumpsTheGeneration() throws Exception {
    Path file = dir.resolve("app.yaml");
    Files.writeString(file, ingress("app", "old.example.com"));
    start();
    Files.writeString(file, ingress("app", "new.example.com"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                source.state().ingresses().get(0).getSpec().getRules().get(0).getHost()
                    .equals("new.example.com"));
    assertTrue(changes.get() >= 2);
    assertEquals(2L, source.state().ingresses().get(0).getMetadata().getGeneration());
  }

  @Test
  void removingAFileRemovesItsObjects() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), ingress("a", "a.example.com"));
    Files.writeString(dir.resolve("b.yaml"), ingress("b", "b.example.com"));
    start();
    Files.delete(dir.resolve("b.yaml"));
    await().atMost(Duration.ofSeconds(10)).until(() -> source.state().ingresses().size() == 1);
    assertEquals(List.of("default/a"), names(source.state().ingresses()));
  }

  @Test
  void aBrokenFileIsReportedOnceAndKeepsItsLastGoodObjectsWhileOthersUpdate() throws Exception {
    Path broken = dir.resolve("broken.yaml");
    Path healthy = dir.resolve("healthy.yaml");
    Files.writeString(broken, ingress("kept", "kept.example.com"));
    Files.writeString(healthy, ingress("healthy", "v1.example.com"));
    start();

    Files.writeString(broken, "apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: [unclosed\n");
    await().atMost(Duration.ofSeconds(10)).until(() -> problems.size() == 1);
    assertTrue(problems.get(0).startsWith("manifests: broken.yaml:3: YAML syntax: "), problems.get(0));
    assertTrue(problems.get(0).endsWith("; keeping its last good objects"), problems.get(0));
    assertTrue(problems.get(0).indexOf('\n') < 0, "one line");

    Files.writeString(healthy, ingress("healthy", "v2.example.com"));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                source.state().ingresses().stream()
                    .anyMatch(i -> i.getSpec().getRules().get(0).getHost().equals("v2.example.com")));
    assertEquals(List.of("default/healthy", "default/kept"), names(source.state().ingresses()));
    // Several rescans later the same broken content has still been reported only once.
    assertEquals(1, problems.size());
  }

  @Test
  void aBrokenFileFromTheStartServesNothingButDoesNotStopTheOthers() throws Exception {
    Files.writeString(dir.resolve("bad.yaml"), "kind: Ingress\nmetadata: {namespace: x}\n");
    Files.writeString(dir.resolve("good.yaml"), ingress("good", "g.example.com"));
    start();
    assertEquals(List.of("default/good"), names(source.state().ingresses()));
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).contains("bad.yaml"), problems.get(0));
  }

  @Test
  void anOldApiVersionOfOurKindIsReportedAndAnUnknownKindWarnedWhileKnownOtherKindsAreSkippedQuietly()
      throws Exception {
    Files.writeString(
        dir.resolve("old.yaml"),
        "apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata: {name: old}\n");
    Files.writeString(
        dir.resolve("other.yaml"),
        "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\n"
            + "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {}\n");
    start();
    assertEquals(2, problems.size(), problems::toString);
    assertTrue(
        problems.get(0).contains("old.yaml:1: Ingress old: Ingress extensions/v1beta1 is not supported, use networking.k8s.io/v1"),
        problems.get(0));
    assertTrue(problems.get(1).startsWith("manifests: other.yaml:1: Widget w: kind Widget (example.com/v1) is not"
        + " one Portcullis reads, skipped"), problems.get(1));
  }

  @Test
  void aTypoInAKindIsRefusedWithTheNearestKindWeRead() throws Exception {
    Files.writeString(dir.resolve("typo.yaml"), ingress("typo", "t.example.com").replace("kind: Ingress", "kind: Ingres"));
    start();
    assertEquals(List.of("manifests: typo.yaml:1: Ingres typo: unknown kind Ingres (did you mean Ingress?);"
        + " keeping its last good objects"), problems);
  }

  @Test
  void anUnknownFieldNamesFileLineAndFieldPathAndTheFilesOtherDocumentsStillCount() throws Exception {
    Files.writeString(dir.resolve("routes.yaml"), """
        apiVersion: v1
        kind: Service
        metadata: {name: web, namespace: shop}
        spec:
          ports: [{name: http, port: 80}]
        ---
        apiVersion: portcullis.io/v1alpha1
        kind: ProxyRoute
        metadata: {name: api, namespace: shop}
        spec:
          hosts: [api.example.com]
          routes:
          - match: {path: {prefix: /v1}}
            backends: [{service: web, port: 80}]
            loadBalancer:
              policy: LeastRequest
              slowStart: 30s
        """);
    start();
    assertEquals(List.of("shop/web"), names(source.state().services()));
    assertEquals(List.of(), source.state().proxyRoutes());
    assertEquals(1, problems.size(), problems::toString);
    assertEquals("manifests: routes.yaml:17: ProxyRoute shop/api: spec.routes[0].loadBalancer.slowStart:"
        + " unknown field; known fields here: cookie, hashOn, policy; keeping its last good objects",
        problems.get(0));
  }

  @Test
  void aValueOfTheWrongTypeSaysWhatWasExpectedInYamlWords() throws Exception {
    Files.writeString(dir.resolve("route.yaml"), """
        apiVersion: portcullis.io/v1alpha1
        kind: ProxyRoute
        metadata: {name: api}
        spec:
          hosts: api.example.com
          routes:
          - backends: [{service: web, port: eighty}]
        """);
    start();
    assertEquals(1, problems.size(), problems::toString);
    String problem = problems.get(0);
    assertTrue(problem.startsWith("manifests: route.yaml:"), problem);
    assertTrue(!problem.contains("io.portcullis") && !problem.contains("java."), problem);
  }

  @Test
  void anObjectCanBeLocatedForProblemsTheCompilerFindsLater() throws Exception {
    Files.createDirectories(dir.resolve("shop"));
    Files.writeString(dir.resolve("shop/b.yml"), SERVICE_AND_ROUTE);
    start();
    assertEquals(java.util.Optional.of("manifests: shop/b.yml:12: "), source.locate("ProxyRoute", "shop", "api"));
    assertEquals(java.util.Optional.empty(), source.locate("ProxyRoute", "shop", "nope"));
  }

  @Test
  void aFixedDocumentReplacesTheKeptLastGoodObject() throws Exception {
    Path file = dir.resolve("app.yaml");
    Files.writeString(file, ingress("app", "old.example.com"));
    start();
    Files.writeString(file, ingress("app", "new.example.com").replace("pathType", "pathTyp: x\n                pathType"));
    await().atMost(Duration.ofSeconds(10)).until(() -> !problems.isEmpty());
    Files.writeString(file, ingress("app", "new.example.com"));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        source.state().ingresses().get(0).getSpec().getRules().get(0).getHost().equals("new.example.com"));
  }

  @Test
  void aMisspeltFieldOfAKubernetesKindIsWarnedAboutButTheObjectIsUsed() throws Exception {
    Files.writeString(dir.resolve("app.yaml"), ingress("app", "a.example.com")
        .replace("service: {name: web, port: {number: 80}}", "service: {name: web, port: {numbr: 80}}"));
    start();
    assertEquals(List.of("default/app"), names(source.state().ingresses()));
    assertEquals(List.of("manifests: app.yaml:14: Ingress app: spec.rules[0].http.paths[0].backend.service.port.numbr:"
        + " unknown field, ignored (did you mean number?)"), problems);
  }
}
