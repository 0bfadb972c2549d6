package io.portcullis.operator.compile.nginx;

import java.util.List;
import java.util.Map;

/**
 * What the {@code nginx.ingress.kubernetes.io/*} annotations of one Ingress compile to.
 *
 * @param annotations our own {@code portcullis.io/*} annotations with the same meaning; the
 *     compiler reads them as if the Ingress carried them (an annotation the Ingress really carries
 *     wins)
 * @param route what changes on each route beyond those
 * @param canary non-null when the Ingress is a canary of another one
 * @param aliases server-alias: more hosts for the Ingress's rules
 * @param findings refused, invalid and changed annotations, each named
 */
public record NginxTranslation(
    Map<String, String> annotations, RouteExtras route, Canary canary, List<String> aliases,
    List<Finding> findings) {
  public static final NginxTranslation NONE =
      new NginxTranslation(Map.of(), RouteExtras.NONE, null, List.of(), List.of());

  public NginxTranslation {
    annotations = Map.copyOf(annotations);
    aliases = List.copyOf(aliases);
    findings = List.copyOf(findings);
  }

  /** Reads the annotations of one Ingress (every key; those without the prefix are skipped). */
  public static NginxTranslation of(Map<String, String> ingressAnnotations) {
    if (ingressAnnotations == null
        || ingressAnnotations.keySet().stream().noneMatch(k -> k.startsWith(NginxAnnotations.PREFIX))) {
      return NONE;
    }
    Reading reading = new Reading(ingressAnnotations);
    PathAnnotations.read(reading);
    RedirectAnnotations.read(reading);
    UpstreamAnnotations.read(reading);
    BalancingAnnotations.read(reading);
    CorsAnnotations.read(reading);
    AuthAnnotations.read(reading);
    WafAnnotations.read(reading);
    RateLimitAnnotations.read(reading);
    EdgeAnnotations.read(reading);
    LimitAnnotations.read(reading);
    ErrorPageAnnotations.read(reading);
    Canary canary = CanaryAnnotations.read(reading);
    return reading.finish(canary);
  }
}
