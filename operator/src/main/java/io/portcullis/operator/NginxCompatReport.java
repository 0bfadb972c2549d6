package io.portcullis.operator;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.portcullis.cli.Flags;
import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.compile.Compiler;
import io.portcullis.operator.compile.CompilerSettings;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.compile.Reasons;
import io.portcullis.operator.compile.nginx.NginxAnnotations;
import io.portcullis.operator.source.ManifestsSource;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * {@code portcullis-operator nginx-compat-report [--manifests DIR] [--watch-namespaces a,b]}: the
 * dry run before {@code --ingress-nginx-compat}. Reads every Ingress (from a manifests directory,
 * or from the API server KUBECONFIG points at), compiles them exactly as the operator would with
 * the flag on, and prints for each Ingress of ingress-nginx's class (or carrying its annotations)
 * what would be served, refused and changed. Nothing is written anywhere. ProxyRoutes are not
 * read (the dry run comes before our CRD is installed).
 */
public final class NginxCompatReport {
  public static final String COMMAND = "nginx-compat-report";
  static final List<String> FLAGS = List.of("manifests", "watch-namespaces", "ingress-class");

  private NginxCompatReport() {}

  /** Returns the exit status: 0 when nothing is refused, 1 when something is, 2 for bad flags. */
  public static int run(String[] args, Map<String, String> env, PrintStream out, PrintStream err) {
    Flags flags;
    Path manifests;
    List<String> namespaces;
    String ingressClass;
    try {
      flags = Flags.parse(args, Map.of(), FLAGS);
      manifests = flags.get("manifests", Path::of, null);
      if (manifests != null && !Files.isDirectory(manifests)) {
        throw new Flags.FlagException("bad value '" + manifests + "' for --manifests: not a directory");
      }
      namespaces = flags.get("watch-namespaces", Flags::list, List.of());
      ingressClass = flags.get("ingress-class", CompilerSettings.DEFAULT_INGRESS_CLASS);
    } catch (Flags.FlagException e) {
      err.println("portcullis-operator " + COMMAND + ": " + e.getMessage());
      return 2;
    }
    ClusterState state;
    try {
      state = manifests != null ? fromManifests(manifests) : fromApiServer(namespaces);
    } catch (Exception e) {
      err.println("portcullis-operator " + COMMAND + ": cannot read Ingresses: " + e.getMessage());
      return 1;
    }
    return print(state, ingressClass, out);
  }

  /** The report of one cluster state; the exit status as {@link #run}. */
  public static int print(ClusterState state, String ingressClass, PrintStream out) {
    CompilerSettings base = new CompilerSettings(ingressClass, null);
    CompileResult without = new Compiler(base).compile(state);
    CompileResult with = new Compiler(base.withIngressNginx(CompilerSettings.IngressNginx.SERVED)).compile(state);
    Set<String> servedAnyway = without.statuses().stream().map(s -> s.object().toString())
        .collect(Collectors.toSet());
    Map<String, Ingress> ingresses = new TreeMap<>();
    for (Ingress i : state.ingresses()) {
      ingresses.put("Ingress " + i.getMetadata().getNamespace() + "/" + i.getMetadata().getName(), i);
    }
    int count = 0;
    boolean anyRefused = false;
    for (ObjectStatus status : with.statuses()) {
      String key = status.object().toString();
      Ingress ingress = ingresses.get(key);
      if (ingress == null) {
        continue;
      }
      Set<String> nginxAnnotations = nginxAnnotations(ingress);
      if (servedAnyway.contains(key) && nginxAnnotations.isEmpty()) {
        continue;
      }
      count++;
      out.println(status.object().namespace() + "/" + status.object().name()
          + (servedAnyway.contains(key) ? " (our class)" : " (ingress-nginx's class)")
          + ": " + status.routeNames().size() + " route(s)");
      List<String> refused = new ArrayList<>();
      List<String> changed = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      Set<String> notServed = new TreeSet<>();
      for (ObjectStatus.Event e : status.events()) {
        if (e.reason().equals(Reasons.NGINX_ANNOTATION_REFUSED)) {
          refused.add(e.message());
        } else if (e.reason().equals(Reasons.NGINX_ANNOTATION_CHANGED)) {
          changed.add(e.message());
        } else if (e.warning()) {
          problems.add(e.reason() + ": " + e.message());
        }
        if (e.reason().equals(Reasons.NGINX_ANNOTATION_REFUSED)
            || e.reason().equals(Reasons.INVALID_ANNOTATION)) {
          for (String a : nginxAnnotations) {
            if (e.message().contains(a + " ") || e.message().contains(a + ":")) {
              notServed.add(a);
            }
          }
        }
      }
      Set<String> served = new TreeSet<>(nginxAnnotations);
      served.removeAll(notServed);
      out.println("  served:  " + (served.isEmpty() ? "(no ingress-nginx annotations)"
          : served.stream().map(a -> a.substring(NginxAnnotations.PREFIX.length()))
              .collect(Collectors.joining(", "))));
      refused.forEach(m -> out.println("  refused: " + m));
      changed.forEach(m -> out.println("  changed: " + m));
      problems.forEach(m -> out.println("  problem: " + m));
      anyRefused |= !refused.isEmpty();
    }
    out.println(count + " Ingress(es) for ingress-nginx; " + (anyRefused
        ? "some annotations are refused: read them before switching" : "nothing refused"));
    return anyRefused ? 1 : 0;
  }

  private static Set<String> nginxAnnotations(Ingress ingress) {
    Map<String, String> a = ingress.getMetadata().getAnnotations();
    return a == null ? Set.of() : a.keySet().stream().filter(k -> k.startsWith(NginxAnnotations.PREFIX))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static ClusterState fromManifests(Path dir) throws Exception {
    try (ManifestsSource source = new ManifestsSource(dir)) {
      source.start(() -> { });
      return source.state();
    }
  }

  private static ClusterState fromApiServer(List<String> namespaces) {
    try (KubernetesClient client = new KubernetesClientBuilder().build()) {
      return fromApiServer(client, namespaces, System.err);
    }
  }

  /**
   * Lists what the compiler reads, with plain list calls: the dry run comes before Portcullis is
   * installed, so neither its CRD nor its RBAC may exist yet. Secrets the caller may not list are
   * skipped with a note (TLS and basic auth then show as problems).
   */
  static ClusterState fromApiServer(KubernetesClient client, List<String> namespaces, PrintStream err) {
    List<String> scopes = namespaces.isEmpty() ? java.util.Collections.singletonList(null) : namespaces;
    List<Ingress> ingresses = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.Service> services = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice> slices = new ArrayList<>();
    List<io.fabric8.kubernetes.api.model.Secret> secrets = new ArrayList<>();
    for (String ns : scopes) {
      ingresses.addAll(ns == null ? client.network().v1().ingresses().inAnyNamespace().list().getItems()
          : client.network().v1().ingresses().inNamespace(ns).list().getItems());
      services.addAll(ns == null ? client.services().inAnyNamespace().list().getItems()
          : client.services().inNamespace(ns).list().getItems());
      slices.addAll(ns == null ? client.discovery().v1().endpointSlices().inAnyNamespace().list().getItems()
          : client.discovery().v1().endpointSlices().inNamespace(ns).list().getItems());
      try {
        secrets.addAll(ns == null ? client.secrets().inAnyNamespace().list().getItems()
            : client.secrets().inNamespace(ns).list().getItems());
      } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
        err.println("portcullis-operator " + COMMAND + ": cannot list Secrets" + (ns == null ? "" : " in " + ns)
            + " (" + e.getCode() + "); TLS and basic auth are reported as missing Secrets");
      }
    }
    return new ClusterState(client.network().v1().ingressClasses().list().getItems(), ingresses,
        List.of(), services, slices, secrets, java.time.Instant.now());
  }
}
