package io.portcullis.operator.source;

import io.portcullis.operator.crd.ActionSpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.operator.source.KubernetesSource.EndpointsKind;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/** The Kubernetes source holds exactly the ConfigMaps that ProxyRoutes serve static files from. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class ReferencedConfigMapsTest {
  KubernetesClient client;
  private KubernetesSource source;

  @AfterEach
  void close() {
    if (source != null) {
      source.close();
    }
  }

  private static ProxyRoute staticRoute(String name, String configMap) {
    ProxyRoute route = new ProxyRoute();
    route.setMetadata(new ObjectMetaBuilder().withNamespace("web").withName(name).build());
    ProxyRouteSpec spec = new ProxyRouteSpec();
    spec.hosts.add(name + ".example.com");
    ProxyRouteSpec.RouteSpec r = new ProxyRouteSpec.RouteSpec();
    r.staticContent = new ActionSpec.StaticContent();
    r.staticContent.configMap = configMap;
    spec.routes.add(r);
    route.setSpec(spec);
    return route;
  }

  private static ConfigMap configMap(String name, String index) {
    return new ConfigMapBuilder().withNewMetadata().withNamespace("web").withName(name)
        .endMetadata().withData(Map.of("index.html", index)).build();
  }

  private List<String> held() {
    return source.state().configMaps().stream().map(c -> c.getMetadata().getName()).toList();
  }

  private void awaitState(Function<ClusterState, Boolean> condition) {
    await().atMost(Duration.ofSeconds(10)).until(() -> condition.apply(source.state()));
  }

  @Test
  void onlyConfigMapsThatRoutesNameAreLoadedAndTheyFollowChanges() throws Exception {
    client.resource(configMap("site", "v1")).create();
    client.resource(configMap("unrelated", "x")).create();
    client.resource(staticRoute("a", "site")).create();
    source = new KubernetesSource(client, List.of(), EndpointsKind.ENDPOINT_SLICES,
        Duration.ofMinutes(10), Duration.ofSeconds(30));
    source.start(() -> {});
    // Loaded before the first compile: a static route never starts out as "ConfigMap missing".
    assertEquals(List.of("site"), held());

    client.resource(configMap("site", "v2")).update();
    awaitState(s -> s.configMaps().size() == 1
        && "v2".equals(s.configMaps().get(0).getData().get("index.html")));

    client.resource(staticRoute("b", "later")).create();
    client.resource(configMap("later", "hello")).create();
    await().atMost(Duration.ofSeconds(10)).until(() -> held().equals(List.of("later", "site")));

    client.resource(staticRoute("a", "site")).delete();
    await().atMost(Duration.ofSeconds(10)).until(() -> held().equals(List.of("later")));
  }

  @Test
  void referencedNamesComeFromStaticRoutesOnly() {
    ProxyRoute plain = staticRoute("p", null);
    plain.getSpec().routes.get(0).staticContent = null;
    assertEquals(java.util.Set.of("web/site"),
        ReferencedConfigMaps.referenced(List.of(staticRoute("a", "site"), plain)));
  }
}
