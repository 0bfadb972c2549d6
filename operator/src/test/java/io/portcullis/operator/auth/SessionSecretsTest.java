package io.portcullis.operator.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.AuthSpec;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import io.portcullis.operator.MockApiServerSettled;

/** Missing OIDC session Secrets are created, on the fabric8 mock API server in CRUD mode. */
@EnableKubernetesMockClient(crud = true)
@ExtendWith(MockApiServerSettled.class)
class SessionSecretsTest {
  KubernetesClient client;

  private static ProxyRoute oidcRoute(String sessionSecret) {
    ProxyRoute pr = new ProxyRoute();
    pr.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("sso").build());
    pr.setSpec(new ProxyRouteSpec());
    pr.getSpec().auth = new AuthSpec();
    pr.getSpec().auth.oidc = new AuthSpec.Oidc();
    pr.getSpec().auth.oidc.sessionSecret = sessionSecret;
    return pr;
  }

  private static ClusterState state(List<ProxyRoute> routes, List<Secret> secrets) {
    return new ClusterState(List.of(), List.of(), routes, List.of(), List.of(), secrets);
  }

  private Secret stored(String name) {
    return client.secrets().inNamespace("shop").withName(name).get();
  }

  @Test
  void aMissingSessionSecretIsCreatedWithARandomKey() {
    new SessionSecrets(client).ensure(state(List.of(oidcRoute("sessions")), List.of()));
    Secret created = stored("sessions");
    assertNotNull(created);
    String key = new String(Base64.getDecoder().decode(
        created.getData().get(SessionSecrets.SESSION_KEY)));
    assertEquals(32, Base64.getDecoder().decode(key).length);
  }

  @Test
  void anExistingSecretIsNeverTouched() {
    Secret mine = new SecretBuilder().withNewMetadata().withNamespace("shop").withName("sessions")
        .endMetadata().withType("Opaque").withStringData(Map.of("session-key", "mine")).build();
    client.secrets().inNamespace("shop").resource(mine).create();
    Secret before = stored("sessions");
    // the informer has not seen it yet: the create answers 409 and nothing changes
    new SessionSecrets(client).ensure(state(List.of(oidcRoute("sessions")), List.of()));
    assertEquals(before.getMetadata().getResourceVersion(),
        stored("sessions").getMetadata().getResourceVersion());
  }
}
