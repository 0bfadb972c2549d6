package io.portcullis.operator.status;

import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressLoadBalancerIngressBuilder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * One entry of an Ingress's {@code status.loadBalancer.ingress}: an IP or a host name. Compared on
 * these two only, so what the API server adds (ports, unknown fields) never looks like a change.
 */
public record LoadBalancerAddress(String ip, String hostname) {
  private static final Comparator<LoadBalancerAddress> ORDER =
      Comparator.comparing((LoadBalancerAddress a) -> Objects.toString(a.ip, ""))
          .thenComparing(a -> Objects.toString(a.hostname, ""));

  public static LoadBalancerAddress ip(String ip) {
    return new LoadBalancerAddress(ip, null);
  }

  public static LoadBalancerAddress hostname(String hostname) {
    return new LoadBalancerAddress(null, hostname);
  }

  /** As ingress-nginx sorts them (IP, then host name), without duplicates: stable across calls. */
  public static List<LoadBalancerAddress> sorted(List<LoadBalancerAddress> addresses) {
    List<LoadBalancerAddress> out = new ArrayList<>(addresses.stream().distinct().toList());
    out.sort(ORDER);
    return List.copyOf(out);
  }

  /** What an Ingress's status says now; empty when it says nothing. */
  static List<LoadBalancerAddress> of(List<IngressLoadBalancerIngress> entries) {
    if (entries == null) {
      return List.of();
    }
    List<LoadBalancerAddress> out = new ArrayList<>();
    for (IngressLoadBalancerIngress e : entries) {
      out.add(new LoadBalancerAddress(blankToNull(e.getIp()), blankToNull(e.getHostname())));
    }
    return sorted(out);
  }

  IngressLoadBalancerIngress toModel() {
    return new IngressLoadBalancerIngressBuilder().withIp(ip).withHostname(hostname).build();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  @Override
  public String toString() {
    return ip != null ? ip : hostname;
  }
}
