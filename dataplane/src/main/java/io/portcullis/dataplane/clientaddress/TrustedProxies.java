package io.portcullis.dataplane.clientaddress;

import io.portcullis.dataplane.net.AddressSet;
import io.portcullis.snapshot.filter.IpPrefix;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * The networks whose {@code X-Forwarded-For} is believed ({@code --trusted-proxies}): load
 * balancers and proxies in front of the dataplane. Empty by default: then every client's
 * {@code X-Forwarded-For} is ignored and replaced, and the client address is the connection's.
 * The CIDR grammar and the lookup are the IP rules' ({@link IpPrefix}, {@link AddressSet}), so
 * an address list means the same in {@code --trusted-proxies}, {@code --ip-deny} and {@code
 * ipAllow}; only stricter here, where a typo would trust the wrong hosts (see {@link #parse}).
 */
public final class TrustedProxies {
  public static final TrustedProxies NONE = new TrustedProxies(List.of());

  private final List<IpPrefix> networks;
  private final AddressSet set;

  private TrustedProxies(List<IpPrefix> networks) {
    this.networks = List.copyOf(networks);
    this.set = AddressSet.of(networks);
  }

  /** The networks as given, canonical. */
  public List<IpPrefix> networks() {
    return networks;
  }

  /**
   * Parses a comma-separated list of CIDRs or addresses; blank means none. A network with host
   * bits set ({@code 10.1.2.3/8}) is refused rather than widened, unlike in IP rules: trusting a
   * network by mistake lets every host in it choose its own client address.
   *
   * @throws IllegalArgumentException naming the entry that is not a CIDR
   */
  public static TrustedProxies parse(String text) {
    List<IpPrefix> out = new ArrayList<>();
    for (String part : text.split(",")) {
      if (!part.isBlank()) {
        out.add(exact(part.trim()));
      }
    }
    return out.isEmpty() ? NONE : new TrustedProxies(out);
  }

  private static IpPrefix exact(String text) {
    IpPrefix network = IpPrefix.parse(text);
    int slash = text.indexOf('/');
    if (slash >= 0) {
      IpPrefix host = IpPrefix.parse(text.substring(0, slash));
      if (host.high() != network.high() || host.low() != network.low()) {
        throw new IllegalArgumentException(
            "'" + text + "' has host bits set (did you mean " + network + "?)");
      }
    }
    return network;
  }

  public boolean isEmpty() {
    return networks.isEmpty();
  }

  /** Whether {@code address} is a trusted proxy; false for null and always false when empty. */
  public boolean contains(InetAddress address) {
    return address != null && !networks.isEmpty() && set.contains(address);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TrustedProxies t && networks.equals(t.networks);
  }

  @Override
  public int hashCode() {
    return networks.hashCode();
  }

  @Override
  public String toString() {
    return networks.isEmpty() ? "none" : networks.toString();
  }
}
