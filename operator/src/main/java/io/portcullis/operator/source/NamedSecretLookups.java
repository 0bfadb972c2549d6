package io.portcullis.operator.source;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.portcullis.operator.cache.ResourceCache;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.operator.crd.AuthSpec;
import io.portcullis.operator.crd.ProxyRouteSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Secrets that routes name but the TLS-only watch cannot show: looked up by name. The watch
 * selects {@code type=kubernetes.io/tls} on the server so unrelated Secrets (tokens, Helm
 * releases, credentials) never reach the operator's memory; but then an Opaque Secret an Ingress
 * names looks missing. This fetches exactly those names with a get, puts what it finds in the
 * cache (the compiler then reports "is of type Opaque" instead of "not found"), re-checks them
 * every {@code recheck}, and forgets them once no route names them. Memory stays bounded by what
 * routes name; requests by the number of such names per recheck.
 */
final class NamedSecretLookups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NamedSecretLookups.class);

  private final KubernetesClient client;
  private final ResourceCache cache;
  private final Runnable changed;
  private final Duration recheck;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final AtomicBoolean scanQueued = new AtomicBoolean();
  /** namespace/name to when it was last looked up; touched only on the executor. */
  private final Map<String, Instant> lookedUp = new HashMap<>();

  NamedSecretLookups(KubernetesClient client, ResourceCache cache, Runnable changed, Duration recheck, Clock clock) {
    this.client = client;
    this.cache = cache;
    this.changed = changed;
    this.recheck = recheck;
    this.clock = clock;
    this.executor = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "secret-lookups");
      t.setDaemon(true);
      return t;
    });
  }

  void start() {
    executor.scheduleWithFixedDelay(this::scan, recheck.toMillis(), recheck.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Routes or Secrets changed: look again soon (coalesced). */
  void routesChanged() {
    if (scanQueued.compareAndSet(false, true)) {
      try {
        executor.execute(() -> {
          scanQueued.set(false);
          scan();
        });
      } catch (RejectedExecutionException closed) {
        // closing
      }
    }
  }

  private void scan() {
    ClusterState state = cache.state();
    Map<String, Secret> present = new HashMap<>();
    for (Secret s : state.secrets()) {
      present.put(key(s.getMetadata().getNamespace(), s.getMetadata().getName()), s);
    }
    Set<String> named = named(state);
    boolean any = false;
    Instant now = clock.instant();
    for (String key : named) {
      Secret cached = present.get(key);
      if (cached != null && KubernetesSource.TLS_SECRET_TYPE.equals(cached.getType())) {
        lookedUp.remove(key); // the watch has it
        continue;
      }
      Instant last = lookedUp.get(key);
      if (last != null && now.isBefore(last.plus(recheck))) {
        continue;
      }
      lookedUp.put(key, now);
      String[] parts = key.split("/", 2);
      try {
        Secret found = client.secrets().inNamespace(parts[0]).withName(parts[1]).get();
        if (found != null && !KubernetesSource.TLS_SECRET_TYPE.equals(found.getType())) {
          any |= cache.upsert(found);
        } else if (found == null && cached != null) {
          any |= cache.delete(cached);
        }
      } catch (KubernetesClientException e) {
        LOG.warn("cannot look up Secret {} that a route names: {}", key, e.getMessage());
      }
    }
    // Forget Secrets no route names any more (only those we fetched: the watch keeps its own).
    for (var it = lookedUp.keySet().iterator(); it.hasNext(); ) {
      String key = it.next();
      if (!named.contains(key)) {
        it.remove();
        Secret cached = present.get(key);
        if (cached != null && !KubernetesSource.TLS_SECRET_TYPE.equals(cached.getType())) {
          any |= cache.delete(cached);
        }
      }
    }
    if (any) {
      changed.run();
    }
  }

  /**
   * namespace/name of every Secret an Ingress or ProxyRoute names: TLS certificates, the CA
   * bundles for client certificates and backend TLS (usually Opaque Secrets with {@code ca.crt},
   * which the TLS-only watch never showed), and what authentication names (htpasswd files, key
   * sets, OIDC client secrets and session keys).
   */
  static Set<String> named(ClusterState state) {
    Set<String> out = new HashSet<>();
    for (Ingress ingress : state.ingresses()) {
      if (ingress.getSpec() != null && ingress.getSpec().getTls() != null) {
        for (IngressTLS tls : ingress.getSpec().getTls()) {
          if (tls.getSecretName() != null && !tls.getSecretName().isBlank()) {
            out.add(key(ingress.getMetadata().getNamespace(), tls.getSecretName()));
          }
        }
      }
    }
    for (Ingress ingress : state.ingresses()) {
      var annotations = ingress.getMetadata().getAnnotations();
      if (annotations != null) {
        addIfSet(out, ingress.getMetadata().getNamespace(), annotations.get(AUTH_SECRET_ANNOTATION));
      }
    }
    for (ProxyRoute route : state.proxyRoutes()) {
      ProxyRouteSpec spec = route.getSpec();
      String ns = route.getMetadata().getNamespace();
      if (spec == null) {
        continue;
      }
      addAuthSecrets(out, ns, spec.auth);
      if (spec.tls != null) {
        addIfSet(out, ns, spec.tls.secretName);
        if (spec.tls.clientCertificate != null) {
          addIfSet(out, ns, spec.tls.clientCertificate.caSecret);
        }
      }
      if (spec.routes != null) {
        for (ProxyRouteSpec.RouteSpec r : spec.routes) {
          if (r != null) {
            addAuthSecrets(out, ns, r.auth);
          }
          if (r != null && r.backends != null) {
            for (ProxyRouteSpec.Backend b : r.backends) {
              if (b != null && b.tls != null) {
                addIfSet(out, ns, b.tls.caSecret);
              }
            }
          }
        }
      }
    }
    return out;
  }

  /** The Ingress annotation naming an htpasswd Secret (basic auth). */
  static final String AUTH_SECRET_ANNOTATION = "portcullis.io/auth-secret";

  private static void addAuthSecrets(Set<String> out, String namespace, AuthSpec auth) {
    if (auth == null) {
      return;
    }
    if (auth.basic != null) {
      addIfSet(out, namespace, auth.basic.secret);
    }
    if (auth.jwt != null) {
      addIfSet(out, namespace, auth.jwt.jwksSecret);
    }
    if (auth.oidc != null) {
      if (auth.oidc.clientSecret != null) {
        addIfSet(out, namespace, auth.oidc.clientSecret.name);
      }
      addIfSet(out, namespace, auth.oidc.sessionSecret);
    }
  }

  private static void addIfSet(Set<String> out, String namespace, String name) {
    if (name != null && !name.isBlank()) {
      out.add(key(namespace, name));
    }
  }

  private static String key(String namespace, String name) {
    return namespace + "/" + name;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
