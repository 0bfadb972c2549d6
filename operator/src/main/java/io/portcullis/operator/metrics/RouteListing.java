package io.portcullis.operator.metrics;

import io.portcullis.snapshot.HeaderMatch;
import io.portcullis.snapshot.PathMatch;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.RouteAction;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.WeightedBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * {@code GET /routes} on the metrics port: what the published snapshot serves, one route per
 * line, for people and for {@code run-local.sh}, which turns each line into a curl command for
 * whatever directory it serves. Tab-separated fields:
 *
 * <pre>
 * host  scheme  match  path  headers  action  route
 * demo.localhost  http  prefix  /api  -  forward 100% default/hello:80, rewrite /v1  proxyroute/default/demo/api/...
 * </pre>
 *
 * {@code host} is {@code *} for rules without a host; {@code scheme} is {@code https} when the
 * host has TLS; {@code match} is {@code exact}, {@code prefix} or {@code regex}; {@code headers}
 * is {@code -} or {@code name: value} pairs joined by {@code ;} (a value a request must carry).
 */
public final class RouteListing {
  private RouteListing() {}

  public static String of(Snapshot snapshot) {
    StringBuilder out = new StringBuilder();
    for (VirtualHost host : snapshot.virtualHosts()) {
      for (Route route : host.routes()) {
        List<String> fields = new ArrayList<>();
        fields.add(host.host());
        fields.add(host.tls() != null ? "https" : "http");
        PathMatch path = route.match().path();
        if (path instanceof PathMatch.Exact exact) {
          fields.add("exact");
          fields.add(exact.value());
        } else if (path instanceof PathMatch.Prefix prefix) {
          fields.add("prefix");
          fields.add(prefix.value());
        } else if (path instanceof PathMatch.Regex regex) {
          fields.add("regex");
          fields.add(regex.pattern());
        }
        fields.add(headers(route.match().headers()));
        fields.add(action(route.action()));
        fields.add(route.name());
        out.append(fields.stream().map(f -> f.replace('\t', ' ').replace('\n', ' '))
            .collect(Collectors.joining("\t"))).append('\n');
      }
    }
    return out.toString();
  }

  private static String headers(List<HeaderMatch> headers) {
    if (headers.isEmpty()) {
      return "-";
    }
    return headers.stream()
        .map(h -> h.name() + ": " + (h.type() == HeaderMatch.Type.PRESENT ? "1" : h.value()))
        .collect(Collectors.joining(";"));
  }

  /** {@code ns/svc:port}: a cluster's name without the hash of a non-default policy. */
  private static String service(String cluster) {
    return cluster.replaceFirst("/[0-9a-f]{8}$", "");
  }

  private static String action(RouteAction action) {
    if (action instanceof RouteAction.Forward forward) {
      long total = forward.backends().stream().mapToLong(WeightedBackend::weight).sum();
      String to = forward.backends().stream()
          .map(b -> (total == 0 ? 0 : Math.round(100.0 * b.weight() / total)) + "% " + service(b.cluster()))
          .collect(Collectors.joining(", "));
      return "forward " + to + (forward.prefixRewrite() == null ? "" : ", rewrite " + forward.prefixRewrite());
    }
    if (action instanceof RouteAction.Redirect redirect) {
      return "redirect " + redirect.statusCode()
          + (redirect.path() == null ? "" : " to " + redirect.path());
    }
    if (action instanceof RouteAction.DirectResponse direct) {
      return "answers " + direct.status();
    }
    return action.getClass().getSimpleName();
  }
}
