package io.portcullis.operator.compile;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.portcullis.operator.compile.nginx.Finding;
import io.portcullis.operator.compile.nginx.NginxAnnotations;
import io.portcullis.operator.compile.nginx.NginxTranslation;
import io.portcullis.operator.compile.nginx.RouteExtras;
import io.portcullis.snapshot.PathMatch;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * With {@code --ingress-nginx-compat}, the first pass over our Ingresses: translates each one's
 * {@code nginx.ingress.kubernetes.io/*} annotations (see {@code compile.nginx}), tells the owner
 * what was refused or changed, and hands the later passes Ingresses that carry the equivalent
 * {@code portcullis.io/*} annotations, so every feature is compiled by the one code that compiles
 * it for our own annotations.
 */
final class NginxPass {
  /** Where {@link io.portcullis.operator.compile.nginx.AuthAnnotations} puts auth-secret's namespace. */
  static final String AUTH_SECRET_NAMESPACE = "portcullis.io/auth-secret-namespace";

  /**
   * @param ingresses the Ingresses to compile, with translated annotations
   * @param translations what else each Ingress's annotations ask for, by Ingress
   */
  record Prepared(List<Ingress> ingresses, Map<ObjectRef, NginxTranslation> translations) {
    static Prepared untouched(List<Ingress> ingresses) {
      return new Prepared(ingresses, Map.of());
    }
  }

  private NginxPass() {}

  static Prepared run(List<Ingress> ours, StatusCollector status) {
    List<Ingress> out = new ArrayList<>(ours.size());
    Map<ObjectRef, NginxTranslation> translations = new HashMap<>();
    for (Ingress ingress : ours) {
      NginxTranslation t = NginxTranslation.of(ingress.getMetadata().getAnnotations());
      if (t == NginxTranslation.NONE) {
        out.add(ingress);
        continue;
      }
      ObjectRef ref = ObjectAge.ref(IngressPass.KIND, ingress);
      status.track(ref);
      for (Finding f : t.findings()) {
        switch (f.kind()) {
          case REFUSED -> status.event(ref, true, Reasons.NGINX_ANNOTATION_REFUSED, f.message());
          case INVALID -> status.event(ref, true, Reasons.INVALID_ANNOTATION, f.message());
          case CHANGED -> status.event(ref, false, Reasons.NGINX_ANNOTATION_CHANGED, f.message());
        }
      }
      Map<String, String> merged = new LinkedHashMap<>(ingress.getMetadata().getAnnotations());
      merged.putAll(t.annotations());
      String secretNamespace = merged.remove(AUTH_SECRET_NAMESPACE);
      if (secretNamespace != null && !secretNamespace.equals(ref.namespace())) {
        // Fail closed: a Secret name with a slash never resolves, so every path answers 503.
        merged.put(AuthMechanisms.AUTH_SECRET, secretNamespace + "/" + merged.get(AuthMechanisms.AUTH_SECRET));
        status.event(ref, true, Reasons.NGINX_ANNOTATION_REFUSED, "annotation "
            + NginxAnnotations.PREFIX + "auth-secret names a Secret in namespace " + secretNamespace
            + ": only the Ingress's own namespace is read; every path answers 503");
      }
      out.add(new IngressBuilder(ingress).editMetadata().withAnnotations(merged).endMetadata().build());
      translations.put(ref, t);
    }
    return new Prepared(out, translations);
  }

  /**
   * {@code policy} with the balancing and retries ingress-nginx's annotations ask for, unless the
   * Ingress's own {@code portcullis.io/*} annotations say otherwise.
   */
  static IngressAnnotations withExtras(
      IngressAnnotations policy, RouteExtras extras, Ingress ingress) {
    if (extras == RouteExtras.NONE) {
      return policy;
    }
    io.portcullis.snapshot.ClusterPolicy p = policy.policy();
    if (extras.loadBalancer() != null
        && !has(ingress, IngressAnnotations.LOAD_BALANCER)) {
      p = new io.portcullis.snapshot.ClusterPolicy(p.protocol(), p.tls(), extras.loadBalancer(),
          p.slowStartMillis(), p.healthCheck(), p.outlierDetection(), p.circuitBreakers(),
          p.connectTimeoutMillis(), p.panicThresholdPercent());
    }
    io.portcullis.snapshot.RetryPolicy retries =
        extras.retries() != null && !has(ingress, IngressAnnotations.RETRIES)
            ? extras.retries() : policy.retries();
    java.util.List<io.portcullis.snapshot.filter.FilterConfig> filters =
        new ArrayList<>(policy.filters());
    for (var extra : extras.filters()) {
      if (filters.stream().noneMatch(f -> f.kind().equals(extra.kind()))) {
        filters.add(extra);
      }
    }
    return new IngressAnnotations(p, policy.upstream(), policy.timeoutMillis(), retries, filters);
  }

  /** What a cookie Path may hold: no spaces, controls, semicolons or non-ASCII. */
  private static final java.util.regex.Pattern COOKIE_PATH =
      java.util.regex.Pattern.compile("/[\\x21-\\x3a\\x3c-\\x7e]*");

  /**
   * {@code policy} for one Ingress path: ingress-nginx's affinity cookie, when
   * session-cookie-path does not name its Path, takes the path of the location that issued it
   * ({@code $location_path}), so each path of a backend keeps a cookie (and a cluster) of its
   * own. Regex paths keep {@code /}: ingress-nginx asks for session-cookie-path with use-regex.
   */
  static IngressAnnotations forPath(
      IngressAnnotations policy, RouteExtras extras, PathMatch written, String text) {
    io.portcullis.snapshot.ClusterPolicy p = policy.policy();
    io.portcullis.snapshot.ClusterPolicy.LoadBalancer lb = p.loadBalancer();
    if (lb == null || lb != extras.loadBalancer() || lb.affinityCookie() == null
        || lb.affinityCookie().path() != null || written instanceof PathMatch.Regex
        || text == null || text.equals("/") || !COOKIE_PATH.matcher(text).matches()) {
      return policy;
    }
    lb = new io.portcullis.snapshot.ClusterPolicy.LoadBalancer(lb.policy(), lb.hashOn(),
        lb.hashKey(), lb.affinityCookie().withPath(text));
    p = new io.portcullis.snapshot.ClusterPolicy(p.protocol(), p.tls(), lb, p.slowStartMillis(),
        p.healthCheck(), p.outlierDetection(), p.circuitBreakers(), p.connectTimeoutMillis(),
        p.panicThresholdPercent());
    return new IngressAnnotations(p, policy.upstream(), policy.timeoutMillis(), policy.retries(),
        policy.filters());
  }

  private static boolean has(Ingress ingress, String annotation) {
    Map<String, String> a = ingress.getMetadata().getAnnotations();
    return a != null && a.containsKey(annotation);
  }
}
