package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.IngressTLS;
import io.portcullis.operator.crd.ProxyRoute;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.VirtualHost;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The virtual hosts each Ingress and ProxyRoute has a say in: the hosts its spec names (rules, TLS
 * entries, ProxyRoute hosts) plus the hosts the last compile actually put its routes on (so hosts
 * that annotations add, such as ingress-nginx's server-alias, are known once compiled). Two objects
 * on one host can affect each other (conflicts, TLS claims, canaries); objects on disjoint hosts
 * cannot, which is what lets a change recompile only its hosts.
 *
 * <p>It also indexes the route objects of the state the compiler last saw, by host and by
 * namespace, and keeps that index up to date from each change ({@link #update}): finding what a
 * one-object change reaches then costs the objects on its hosts, not a pass over all 10,000. The
 * index is rebuilt whole after a full compile ({@link #indexAll}).
 */
final class HostFootprints {
  /** Object key to the hosts its routes were compiled onto by the last compile that saw it. */
  private final Map<String, Set<String>> produced = new HashMap<>();
  /** Object key to the object as the state has it now. */
  private final Map<String, HasMetadata> objects = new HashMap<>();
  /** Object key to its hosts (declared and produced), as filed under {@link #onHost}. */
  private final Map<String, Set<String>> filed = new HashMap<>();
  private final Map<String, Set<String>> onHost = new HashMap<>();
  private final Map<String, Set<String>> inNamespace = new HashMap<>();

  /** Everything the last compile learned is forgotten, then learned again from {@code result}. */
  void learnAll(CompileResult result) {
    produced.clear();
    learn(result.snapshot().virtualHosts(), result.statuses());
  }

  /** What a partial compile of {@code objects} produced replaces what was known of them. */
  void relearn(Collection<String> objectKeys, CompileResult part) {
    objectKeys.forEach(produced::remove);
    learn(part.snapshot().virtualHosts(), part.statuses());
    objectKeys.forEach(this::refile);
  }

  /** Indexes every route object of {@code state} (after a full compile and its {@link #learnAll}). */
  void indexAll(ClusterState state) {
    objects.clear();
    filed.clear();
    onHost.clear();
    inNamespace.clear();
    for (List<? extends HasMetadata> kind : List.of(state.ingresses(), state.proxyRoutes())) {
      for (HasMetadata object : kind) {
        objects.put(key(object), object);
        file(object);
      }
    }
  }

  /**
   * Follows one change of route objects: {@code changed} holds old and new forms, and
   * {@code now} says which object each of their keys has in the new state (absent: removed).
   */
  void update(List<HasMetadata> changed, java.util.function.Function<String, HasMetadata> now) {
    Set<String> keys = new HashSet<>();
    changed.forEach(o -> keys.add(key(o)));
    for (String key : keys) {
      HasMetadata object = now.apply(key);
      if (object == null) {
        HasMetadata gone = objects.remove(key);
        unfile(key, gone);
      } else {
        objects.put(key, object);
        refile(key);
      }
    }
  }

  /**
   * Takes the new instances of objects the compiler reads the same as before (their status was
   * written): their hosts stay filed as they are. The part of a partial compile is picked from
   * the state by identity, and the old instance would also be a second copy of the object.
   */
  void replace(Map<String, HasMetadata> sameNow) {
    sameNow.forEach((key, object) -> objects.replace(key, object));
  }

  /** Route objects indexed. */
  int size() {
    return objects.size();
  }

  /** Keys of the indexed objects with a say in {@code host}. */
  Set<String> keysOn(String host) {
    return onHost.getOrDefault(host, Set.of());
  }

  /** Keys of the indexed objects in {@code namespace}. */
  Set<String> keysIn(String namespace) {
    return inNamespace.getOrDefault(namespace, Set.of());
  }

  /** The indexed object with this key, or null. */
  HasMetadata object(String key) {
    return objects.get(key);
  }

  /** The hosts the indexed object with this key has a say in. */
  Set<String> hostsOfKey(String key) {
    return filed.getOrDefault(key, Set.of());
  }

  private void refile(String key) {
    HasMetadata object = objects.get(key);
    unfile(key, object);
    if (object != null) {
      file(object);
    }
  }

  private void file(HasMetadata object) {
    String key = key(object);
    Set<String> hosts = hostsOf(object);
    filed.put(key, hosts);
    hosts.forEach(h -> onHost.computeIfAbsent(h, x -> new HashSet<>()).add(key));
    inNamespace.computeIfAbsent(StateChanges.namespace(object), x -> new HashSet<>()).add(key);
  }

  private void unfile(String key, HasMetadata object) {
    Set<String> hosts = filed.remove(key);
    if (hosts != null) {
      for (String h : hosts) {
        Set<String> keys = onHost.get(h);
        if (keys != null && keys.remove(key) && keys.isEmpty()) {
          onHost.remove(h);
        }
      }
    }
    if (object != null) {
      Set<String> keys = inNamespace.get(StateChanges.namespace(object));
      if (keys != null) {
        keys.remove(key);
      }
    }
  }

  private void learn(List<VirtualHost> hosts, List<ObjectStatus> statuses) {
    Map<String, String> hostOfRoute = new HashMap<>();
    for (VirtualHost vhost : hosts) {
      for (Route route : vhost.routes()) {
        hostOfRoute.put(route.name(), vhost.host());
      }
    }
    for (ObjectStatus status : statuses) {
      Set<String> onHosts = new HashSet<>();
      for (String route : status.routeNames()) {
        String host = hostOfRoute.get(route);
        if (host != null) {
          onHosts.add(host);
        }
      }
      if (!onHosts.isEmpty()) {
        ObjectRef ref = status.object();
        produced.put(key(ref.kind(), ref.namespace(), ref.name()), onHosts);
      }
    }
  }

  /** Declared and produced hosts of {@code object}. */
  Set<String> hostsOf(HasMetadata object) {
    Set<String> hosts = declared(object);
    Set<String> known = produced.get(key(object));
    if (known != null) {
      hosts.addAll(known);
    }
    return hosts;
  }

  /** {@code Ingress/ns/name} or {@code ProxyRoute/ns/name}. */
  static String key(HasMetadata object) {
    return key(object instanceof ProxyRoute ? ProxyRoutePass.KIND : IngressPass.KIND,
        StateChanges.namespace(object), object.getMetadata().getName());
  }

  static String key(String kind, String namespace, String name) {
    return kind + "/" + namespace + "/" + name;
  }

  /** The hosts a spec names, lower-cased; a rule without a host is the host-less virtual host. */
  static Set<String> declared(HasMetadata object) {
    Set<String> hosts = new HashSet<>();
    if (object instanceof Ingress ingress && ingress.getSpec() != null) {
      if (ingress.getSpec().getRules() != null) {
        for (IngressRule rule : ingress.getSpec().getRules()) {
          hosts.add(rule == null ? VirtualHost.ANY_HOST : normal(rule.getHost()));
        }
      }
      if (ingress.getSpec().getTls() != null) {
        for (IngressTLS tls : ingress.getSpec().getTls()) {
          if (tls != null && tls.getHosts() != null) {
            tls.getHosts().forEach(h -> hosts.add(normal(h)));
          }
        }
      }
    } else if (object instanceof ProxyRoute route && route.getSpec() != null
        && route.getSpec().hosts != null) {
      route.getSpec().hosts.forEach(h -> hosts.add(normal(h)));
    }
    return hosts;
  }

  private static String normal(String host) {
    return host == null || host.isEmpty() ? VirtualHost.ANY_HOST : host.toLowerCase(Locale.ROOT);
  }
}
