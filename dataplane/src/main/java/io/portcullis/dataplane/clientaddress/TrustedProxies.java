package io.portcullis.dataplane.clientaddress;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks whose {@code X-Forwarded-For} is believed ({@code --trusted-proxies}): load
 * balancers and proxies in front of the dataplane. Empty by default: then every client's
 * {@code X-Forwarded-For} is ignored and replaced, and the client address is the connection's.
 *
 * <p>A handful of networks is the expected size, so a linear scan is the right structure; the
 * scan only runs when the list is not empty.
 */
public record TrustedProxies(List<Cidr> networks) {
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  public TrustedProxies {
    networks = List.copyOf(networks);
  }

  /**
   * Parses a comma-separated list of CIDRs or addresses; blank means none.
   *
   * @throws IllegalArgumentException naming the entry that is not a CIDR
   */
  public static TrustedProxies parse(String text) {
    List<Cidr> out = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(Cidr.parse(part));
      }
    }
    return out.isEmpty() ? NONE : new TrustedProxies(out);
  }

  public boolean isEmpty() {
    return networks.isEmpty();
  }

  /** Whether {@code address} is a trusted proxy; false for null and always false when empty. */
  public boolean contains(InetAddress address) {
    if (networks.isEmpty() || address == null) {
      return false;
    }
    byte[] raw = address.getAddress();
    for (Cidr network : networks) {
      if (network.contains(raw)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public String toString() {
    return networks.isEmpty() ? "none" : networks.toString();
  }
}
