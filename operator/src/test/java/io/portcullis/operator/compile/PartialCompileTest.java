package io.portcullis.operator.compile;

import static io.portcullis.operator.compile.Fixtures.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.Delta;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Recompiling only the hosts a change reaches must give exactly what a full compile gives: random
 * sequences of changes (Ingresses and ProxyRoutes sharing hosts, conflicting paths, TLS claims,
 * Services, slices and Secrets appearing, changing and going), each result compared with a fresh
 * full compile of the same state.
 */
class PartialCompileTest {
  private static final Instant NOW = TestCertificates.NOW;
  private static final String[] NAMESPACES = {"a", "b", "c", "d", "e", "f"};
  /** Mostly distinct hosts, some shared: upper case, a wildcard and the host-less rules too. */
  private String[] hosts = hosts(40);

  private static String[] hosts(int distinct) {
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < distinct; i++) {
      hosts.add("h" + i + ".example.com");
    }
    hosts.addAll(List.of("H1.example.com", "*.example.com", ""));
    return hosts.toArray(String[]::new);
  }
  private static final String[] PATHS = {"/", "/api", "/api/v1", "/static"};
  private static final String[] SERVICES = {"web", "api", "gone"};
  private static final String[] SECRETS = {"tls-1", "tls-2", "broken"};
  private static final TestCertificates.Issued CERT_1 =
      TestCertificates.issue("one.example.com", "two.example.com", "*.example.com");
  private static final TestCertificates.Issued CERT_2 = TestCertificates.issue("three.example.com");

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  @DisplayName("random changes on few shared hosts: mostly full compiles, always equal to one")
  void denseHosts(long seed) {
    hosts = hosts(4);
    incrementalEqualsFull(seed, 0);
  }

  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  @DisplayName("random changes on many hosts: mostly partial compiles, always equal to a full one")
  void manyHosts(long seed) {
    incrementalEqualsFull(seed, 10);
  }

  private void incrementalEqualsFull(long seed, int minimumPartial) {
    Random random = new Random(seed);
    ResourceCache cache = new ResourceCache();
    cache.upsert(ourClass());
    for (int i = 0; i < 60; i++) {
      cache.upsert(randomObject(random, i));
    }
    IncrementalCompiler incremental = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    incremental.apply(cache.state().withNow(NOW));
    for (int step = 0; step < 80; step++) {
      HasMetadata object = randomObject(random, step);
      String what;
      if (random.nextInt(5) == 0) {
        cache.delete(object);
        what = "deleted " + object.getKind() + " " + StateChanges.name(object);
      } else {
        cache.upsert(object);
        what = "changed " + object.getKind() + " " + StateChanges.name(object);
      }
      ClusterState state = cache.state().withNow(NOW);
      CompileResult got = incremental.apply(state);
      CompileResult want = new Compiler(CompilerSettings.defaults()).compile(state);
      String where = "seed " + seed + ", step " + step + " (" + what + ")";
      assertEquals(want.snapshot(), got.snapshot(), where);
      if (!want.statuses().equals(got.statuses())) {
        List<ObjectStatus> missing = new ArrayList<>(want.statuses());
        missing.removeAll(got.statuses());
        List<ObjectStatus> extra = new ArrayList<>(got.statuses());
        extra.removeAll(want.statuses());
        assertEquals(missing, extra, where + ": statuses a full compile gives (expected) and the incremental one");
      }
    }
    assertTrue(incremental.partialCompiles() >= minimumPartial,
        "the partial path ran " + incremental.partialCompiles() + " times of 80");
  }

  @Test
  @DisplayName("one changed Ingress recompiles its host only: other hosts are the very same objects")
  void oneIngressTouchesItsHostOnly() {
    List<HasMetadata> objects = new ArrayList<>(List.of(ourClass()));
    for (int i = 0; i < 20; i++) {
      objects.add(ingress("ns" + (i % 4), "app" + i).host("app" + i + ".example.com")
          .prefix("/", "web", 80).build());
    }
    for (int n = 0; n < 4; n++) {
      objects.addAll(backendWithEndpoints("ns" + n, "web", 80, "10.0.0." + (n + 1)));
    }
    ResourceCache cache = new ResourceCache();
    objects.forEach(cache::upsert);
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    CompileResult before = compiler.apply(cache.state().withNow(NOW));
    cache.upsert(ingress("ns1", "app5").host("app5.example.com").prefix("/", "web", 80)
        .prefix("/new", "web", 80).build());
    ClusterState state = cache.state().withNow(NOW);
    CompileResult after = compiler.apply(state);

    assertEquals(1, compiler.partialCompiles());
    assertEquals(new Compiler(CompilerSettings.defaults()).compile(state), after);
    Delta delta = Delta.between(before.snapshot(), after.snapshot());
    assertEquals(List.of("vhost/app5.example.com"), delta.resourceNames());
    assertSame(before.snapshot().virtualHostsByHost().get("app6.example.com"),
        after.snapshot().virtualHostsByHost().get("app6.example.com"));
  }

  @Test
  @DisplayName("Ingresses whose status alone changed (our address writes) are not recompiled: the next change is still partial")
  void statusWritesAreNotChanges() {
    List<HasMetadata> objects = new ArrayList<>(List.of(ourClass()));
    List<io.fabric8.kubernetes.api.model.networking.v1.Ingress> ingresses = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      ingresses.add(ingress("ns" + (i % 4), "app" + i).host("app" + i + ".example.com")
          .prefix("/", "web", 80).build());
    }
    objects.addAll(ingresses);
    for (int n = 0; n < 4; n++) {
      objects.addAll(backendWithEndpoints("ns" + n, "web", 80, "10.0.0." + (n + 1)));
    }
    ResourceCache cache = new ResourceCache();
    objects.forEach(cache::upsert);
    IncrementalCompiler compiler = new IncrementalCompiler(new Compiler(CompilerSettings.defaults()));
    CompileResult before = compiler.apply(cache.state().withNow(NOW));
    // Every Ingress comes back from the API server with its address written: a new resourceVersion
    // and a status, nothing else.
    for (var written : ingresses) {
      cache.upsert(new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder(written)
          .editMetadata().withResourceVersion("2").endMetadata()
          .withNewStatus().withNewLoadBalancer().addNewIngress().withIp("10.0.0.100").endIngress()
          .endLoadBalancer().endStatus()
          .build());
    }
    cache.upsert(ingress("ns1", "app5").host("app5.example.com").prefix("/", "web", 80)
        .prefix("/new", "web", 80).build());
    ClusterState state = cache.state().withNow(NOW);
    CompileResult after = compiler.apply(state);

    assertEquals(1, compiler.fullCompiles(), "20 Ingresses with a new status are not a change to compile");
    assertEquals(1, compiler.partialCompiles());
    assertEquals(new Compiler(CompilerSettings.defaults()).compile(state), after);
    assertEquals(List.of("vhost/app5.example.com"),
        Delta.between(before.snapshot(), after.snapshot()).resourceNames());

    // A namespace's Service changes: its Ingresses are recompiled from the index, which must hold
    // the instances the state has now (the written ones), or they drop out of the part.
    cache.upsert(service("ns2", "web").port(null, 80).port("admin", 81).build());
    ClusterState drained = cache.state().withNow(NOW);
    CompileResult next = compiler.apply(drained);
    assertEquals(2, compiler.partialCompiles(), compiler.fullCompiles() + " full, " + compiler.endpointUpdates() + " endpoint-only");
    assertEquals(new Compiler(CompilerSettings.defaults()).compile(drained), next);
    assertEquals(20, next.snapshot().virtualHosts().size());
  }

  @Test
  @DisplayName("an Ingress deleted and created again under its name between two compiles is a change")
  void recreatedIsAChange() {
    var first = ingress("ns", "app").host("app.example.com").prefix("/", "web", 80).build();
    first.getMetadata().setUid("uid-1");
    var again = new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder(first)
        .editMetadata().withUid("uid-2").withResourceVersion("9").endMetadata().build();
    assertTrue(StateChanges.sameForCompile(first, new io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder(first)
        .editMetadata().withResourceVersion("8").endMetadata().build()));
    org.junit.jupiter.api.Assertions.assertFalse(StateChanges.sameForCompile(first, again));
  }

  /** One of a small universe of objects, so that changes collide on hosts, paths and names. */
  private HasMetadata randomObject(Random random, int step) {
    String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
    String created = "2024-06-0" + (1 + random.nextInt(3)) + "T00:00:00Z";
    switch (random.nextInt(7)) {
      case 0, 1 -> {
        IngressFixture f = ingress(ns, "ing-" + random.nextInt(6)).created(created);
        int rules = 1 + random.nextInt(2);
        for (int r = 0; r < rules; r++) {
          String host = hosts[random.nextInt(hosts.length)];
          if (host.isEmpty()) {
            f.anyHost();
          } else {
            f.host(host);
          }
          f.prefix(PATHS[random.nextInt(PATHS.length)], SERVICES[random.nextInt(SERVICES.length)], 80);
          if (random.nextBoolean()) {
            f.exact(PATHS[random.nextInt(PATHS.length)], SERVICES[random.nextInt(SERVICES.length)], 80);
          }
        }
        if (random.nextInt(3) == 0) {
          f.tls(SECRETS[random.nextInt(SECRETS.length)], hosts[random.nextInt(hosts.length - 1)]);
        }
        if (random.nextInt(40) == 0) {
          f.defaultBackend(SERVICES[random.nextInt(SERVICES.length)], 80);
        }
        if (random.nextInt(10) == 0) {
          f.className("someone-else");
        }
        return f.build();
      }
      case 2 -> {
        ProxyRouteFixture f = proxyRoute(ns, "pr-" + random.nextInt(3)).created(created)
            .hosts(hosts[random.nextInt(hosts.length - 1)]);
        f.route(route("r" + step).prefix(PATHS[random.nextInt(PATHS.length)])
            .to(SERVICES[random.nextInt(SERVICES.length)], 80));
        if (random.nextInt(3) == 0) {
          f.tls(SECRETS[random.nextInt(SECRETS.length)]);
        }
        return f.build();
      }
      case 3 -> {
        return service(ns, SERVICES[random.nextInt(2)]).port(null, 80).build();
      }
      case 4 -> {
        String svc = SERVICES[random.nextInt(2)];
        SliceFixture f = slice(ns, svc).port(null, 8080);
        int ready = random.nextInt(3);
        for (int e = 0; e < ready; e++) {
          f.ready("10.0." + random.nextInt(4) + "." + (1 + e));
        }
        var built = f.build();
        built.getMetadata().setName(svc + "-slice");
        return built;
      }
      default -> {
        String name = SECRETS[random.nextInt(SECRETS.length)];
        if (name.equals("broken")) {
          return secret(ns, name, "kubernetes.io/tls");
        }
        return TestCertificates.tlsSecret(ns, name, random.nextBoolean() ? CERT_1 : CERT_2);
      }
    }
  }
}
