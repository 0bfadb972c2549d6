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
import io.portcullis.operator.source.ClusterSource;
import io.portcullis.operator.source.KubernetesSource;
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
 * what would be served, refused and changed. Nothing is written anywhere.
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

  private static ClusterState fromApiServer(List<String> namespaces) throws Exception {
    try (KubernetesClient client = new KubernetesClientBuilder().build();
        ClusterSource source = new KubernetesSource(client, namespaces,
            KubernetesSource.EndpointsKind.ENDPOINT_SLICES)) {
      source.start(() -> { });
      return source.state();
    }
  }
}
