package io.portcullis.operator.status;

import java.util.List;
import java.util.Optional;

/**
 * The addresses our Ingresses should show in {@code status.loadBalancer.ingress}: fixed ones
 * ({@code --publish-address}), or those of the dataplane Service ({@code --publish-service}).
 */
public interface PublishedAddresses extends AutoCloseable {
  /** No flag given: Ingress statuses are left alone. */
  PublishedAddresses NONE = () -> Optional.empty();

  /**
   * The addresses now, sorted; empty when they cannot be known yet (the Service does not exist),
   * in which case Ingress statuses are left as they are.
   */
  Optional<List<LoadBalancerAddress>> current();

  /** Called (on any thread) whenever {@link #current()} may have changed. */
  default void onChange(Runnable listener) {}

  @Override
  default void close() {}

  /** {@code --publish-address a,b}: each an IP address or else a host name. */
  static PublishedAddresses fixed(List<String> addresses) {
    List<LoadBalancerAddress> out = LoadBalancerAddress.sorted(addresses.stream()
        .map(a -> isIp(a) ? LoadBalancerAddress.ip(a) : LoadBalancerAddress.hostname(a))
        .toList());
    return () -> Optional.of(out);
  }

  static boolean isIp(String text) {
    return text.matches("\\d{1,3}(\\.\\d{1,3}){3}") || (text.contains(":") && text.matches("[0-9a-fA-F:.]+"));
  }
}
