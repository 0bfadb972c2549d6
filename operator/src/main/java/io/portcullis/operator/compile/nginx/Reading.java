package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.ClusterPolicy;
import io.portcullis.snapshot.RetryPolicy;
import io.portcullis.snapshot.RouteAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One Ingress's annotations while the families read them: what each family takes, what it
 * produces, and what must be said. Whatever no family took is refused at the end, as unknown or
 * with the registry's reason.
 */
final class Reading {
  private final Map<String, String> nginx = new TreeMap<>();
  private final Map<String, String> own;
  private final List<String> taken = new ArrayList<>();
  private final List<Finding> findings = new ArrayList<>();
  final Map<String, String> ours = new LinkedHashMap<>();
  final Map<String, String> headers = new TreeMap<>();
  final List<String> aliases = new ArrayList<>();
  String rewriteTarget;
  RouteAction.Redirect redirect;
  String appRoot;
  long idleTimeoutMillis;
  RetryPolicy retries;
  ClusterPolicy.LoadBalancer loadBalancer;
  final List<io.portcullis.snapshot.filter.FilterConfig> filters = new ArrayList<>();

  Reading(Map<String, String> annotations) {
    this.own = annotations;
    annotations.forEach((k, v) -> {
      if (k.startsWith(NginxAnnotations.PREFIX)) {
        nginx.put(k.substring(NginxAnnotations.PREFIX.length()), v == null ? "" : v.trim());
      }
    });
  }

  /** The value of an annotation a family honours (null when absent), marked as taken. */
  String take(String name) {
    String value = nginx.get(name);
    if (value != null) {
      NginxAnnotation entry = NginxAnnotations.find(name).orElseThrow(
          () -> new IllegalStateException("a family reads " + name + ", which the registry lacks"));
      if (!entry.honoured()) {
        return null; // refused at the end with the registry's reason
      }
      taken.add(name);
    }
    return value;
  }

  boolean has(String name) {
    return nginx.containsKey(name);
  }

  /** Sets one of our own annotations, unless the Ingress sets it itself (then ours wins). */
  void ours(String annotation, String value) {
    if (!own.containsKey(annotation)) {
      ours.put(annotation, value);
    }
  }

  void invalid(String name, String value, String why) {
    findings.add(new Finding(NginxAnnotations.PREFIX + name, Finding.Kind.INVALID,
        "annotation " + NginxAnnotations.PREFIX + name + ": \"" + bounded(value) + "\" is not usable ("
            + why + "); it is ignored"));
  }

  void refused(String name, String why) {
    findings.add(new Finding(NginxAnnotations.PREFIX + name, Finding.Kind.REFUSED,
        "annotation " + NginxAnnotations.PREFIX + name + " is refused: " + why
            + "; the rest of the Ingress is served"));
  }

  void changed(String name, String how) {
    findings.add(new Finding(NginxAnnotations.PREFIX + name, Finding.Kind.CHANGED,
        "annotation " + NginxAnnotations.PREFIX + name + " is served with a difference: " + how));
  }

  NginxTranslation finish(Canary canary) {
    for (var e : nginx.entrySet()) {
      String name = e.getKey();
      if (taken.contains(name)) {
        NginxAnnotations.find(name).filter(a -> a.support() == Support.PARTLY)
            .ifPresent(a -> changed(name, a.how()));
        continue;
      }
      if (NginxAnnotations.isSnippet(name)) {
        refused(name, "snippets paste raw nginx configuration and are never honoured");
        continue;
      }
      NginxAnnotation entry = NginxAnnotations.find(name).orElse(null);
      if (entry == null) {
        refused(name, "Portcullis does not know this annotation");
      } else if (entry.support() == Support.PENDING) {
        refused(name, "not supported yet: " + entry.how());
      } else if (entry.support() == Support.REFUSED) {
        refused(name, entry.how());
      }
      // An honoured annotation no family took is one that only matters beside another (a
      // session-cookie-name without affinity): ignored, as ingress-nginx does.
    }
    RouteExtras route = new RouteExtras(rewriteTarget, redirect, appRoot,
        new io.portcullis.snapshot.HeaderRewrite(headers, List.of()), idleTimeoutMillis, retries,
        loadBalancer, filters);
    return new NginxTranslation(ours, route, canary, aliases, findings);
  }

  /** Whole seconds, as ingress-nginx reads its timeouts; a unit suffix is accepted too. */
  static long seconds(String value) {
    if (value.matches("\\d{1,7}")) {
      return Long.parseLong(value) * 1000;
    }
    if (value.matches("\\d{1,7}s")) {
      return Long.parseLong(value.substring(0, value.length() - 1)) * 1000;
    }
    if (value.matches("\\d{1,7}m")) {
      return Long.parseLong(value.substring(0, value.length() - 1)) * 60_000;
    }
    throw new IllegalArgumentException("expected whole seconds, e.g. \"60\"");
  }

  static int integer(String value, int min, int max) {
    if (!value.matches("-?\\d{1,9}")) {
      throw new IllegalArgumentException("expected a whole number");
    }
    int n = Integer.parseInt(value);
    if (n < min || n > max) {
      throw new IllegalArgumentException("expected " + min + " to " + max);
    }
    return n;
  }

  static boolean bool(String value) {
    return switch (value.toLowerCase(java.util.Locale.ROOT)) {
      case "true" -> true;
      case "false" -> false;
      default -> throw new IllegalArgumentException("expected \"true\" or \"false\"");
    };
  }

  private static String bounded(String value) {
    return value.length() <= 200 ? value : value.substring(0, 197) + "...";
  }
}
