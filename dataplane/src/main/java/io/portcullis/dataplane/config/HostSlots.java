package io.portcullis.dataplane.config;

import io.portcullis.snapshot.VirtualHost;

/**
 * Builds a config's three host lookups from the previous ones (or from nothing): exact names,
 * wildcard suffixes ({@code *.example.com} under {@code example.com}) and the catch-all host.
 * The one place that knows which of the three a host name belongs in.
 */
final class HostSlots {
  private final LayeredMap.Editor<String, VirtualHostIndex> exact;
  private final LayeredMap.Editor<String, VirtualHostIndex> wildcard;
  private VirtualHostIndex any;

  HostSlots(LayeredMap<String, VirtualHostIndex> exact, LayeredMap<String, VirtualHostIndex> wildcard,
      VirtualHostIndex any) {
    this.exact = exact.edit();
    this.wildcard = wildcard.edit();
    this.any = any;
  }

  /** Empty lookups, for a config indexed from scratch. */
  static HostSlots empty() {
    return new HostSlots(LayeredMap.empty(), LayeredMap.empty(), null);
  }

  void put(VirtualHost vhost, VirtualHostIndex index) {
    String host = vhost.host();
    if (host.equals(VirtualHost.ANY_HOST)) {
      any = index;
    } else if (vhost.isWildcard()) {
      wildcard.put(host.substring(2), index);
    } else {
      exact.put(host, index);
    }
  }

  void remove(String host) {
    if (host.equals(VirtualHost.ANY_HOST)) {
      any = null;
    } else if (host.startsWith("*.")) {
      wildcard.remove(host.substring(2));
    } else {
      exact.remove(host);
    }
  }

  LayeredMap<String, VirtualHostIndex> exact() {
    return exact.build();
  }

  LayeredMap<String, VirtualHostIndex> wildcard() {
    return wildcard.build();
  }

  VirtualHostIndex any() {
    return any;
  }
}
