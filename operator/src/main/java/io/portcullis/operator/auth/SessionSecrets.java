package io.portcullis.operator.auth;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.AuthSpec;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.net.HttpURLConnection;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the OIDC session Secrets ProxyRoutes name ({@code auth.oidc.sessionSecret}) but that do
 * not exist yet, with a random 32-byte {@code session-key}: users name a Secret and never have
 * to make a key. Create-if-absent: an existing Secret is never touched (rotating its key is the
 * owner's business), and when replicas race the API server keeps one and answers 409 to the rest.
 * The Secret's informer then brings it into the next compile; until then the routes fail closed.
 */
public final class SessionSecrets {
  private static final Logger log = LoggerFactory.getLogger(SessionSecrets.class);
  public static final String SESSION_KEY = "session-key";
  public static final String GENERATED_LABEL = "portcullis.io/generated";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final KubernetesClient client;
  /** Secrets asked for already: one create attempt per Secret per process. */
  private final Set<String> attempted = new HashSet<>();

  public SessionSecrets(KubernetesClient client) {
    this.client = client;
  }

  /** Creates each missing session Secret the state's ProxyRoutes name. */
  public synchronized void ensure(ClusterState state) {
    Set<String> existing = new HashSet<>();
    for (Secret s : state.secrets()) {
      existing.add(s.getMetadata().getNamespace() + "/" + s.getMetadata().getName());
    }
    for (String ref : named(state)) {
      if (!existing.contains(ref) && attempted.add(ref)) {
        create(ref.substring(0, ref.indexOf('/')), ref.substring(ref.indexOf('/') + 1));
      }
    }
  }

  private static Set<String> named(ClusterState state) {
    Set<String> out = new TreeSet<>();
    for (ProxyRoute pr : state.proxyRoutes()) {
      ProxyRouteSpec spec = pr.getSpec();
      if (spec == null) {
        continue;
      }
      String ns = pr.getMetadata().getNamespace();
      add(out, ns, spec.auth);
      if (spec.routes != null) {
        spec.routes.forEach(r -> add(out, ns, r == null ? null : r.auth));
      }
    }
    return out;
  }

  private static void add(Set<String> out, String namespace, AuthSpec auth) {
    if (auth != null && auth.oidc != null && auth.oidc.sessionSecret != null
        && !auth.oidc.sessionSecret.isEmpty()) {
      out.add(namespace + "/" + auth.oidc.sessionSecret);
    }
  }

  private void create(String namespace, String name) {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    Secret secret = new SecretBuilder()
        .withNewMetadata().withNamespace(namespace).withName(name)
        .withLabels(Map.of(GENERATED_LABEL, "oidc-session")).endMetadata()
        .withType("Opaque")
        .withData(Map.of(SESSION_KEY, Base64.getEncoder().encodeToString(
            Base64.getEncoder().encodeToString(key).getBytes(java.nio.charset.StandardCharsets.US_ASCII))))
        .build();
    try {
      client.secrets().inNamespace(namespace).resource(secret).create();
      log.info("created OIDC session Secret {}/{}", namespace, name);
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        log.warn("cannot create OIDC session Secret {}/{}: {}", namespace, name, e.getMessage());
        attempted.remove(namespace + "/" + name); // try again on a later compile
      }
    }
  }
}
