package io.portcullis.dataplane.clientaddress;

import java.util.Objects;

/**
 * How the proxy learns who its clients are, and how many connections each may hold.
 *
 * @param trustedProxies whose {@code X-Forwarded-For} is believed ({@code --trusted-proxies})
 * @param proxyProtocol whether a PROXY protocol header is required first on every connection
 *     ({@code --proxy-protocol})
 * @param maxConnectionsPerClient open connections one client address may hold; more are closed
 *     at accept, before TLS ({@code --max-connections-per-client}); 0 means unlimited
 */
public record ClientAddressSettings(
    TrustedProxies trustedProxies, ProxyProtocol proxyProtocol, int maxConnectionsPerClient) {

  /**
   * No trusted proxies, no PROXY protocol, no connection limit. Unlimited by default because the
   * limit counts by address: behind a load balancer without the PROXY protocol every connection
   * comes from a handful of balancer addresses, and any default low enough to matter against a
   * single abusive client would refuse legitimate traffic there.
   */
  public static final ClientAddressSettings DEFAULT =
      new ClientAddressSettings(TrustedProxies.NONE, ProxyProtocol.OFF, 0);

  /** The largest limit accepted: beyond this the count cannot be reached anyway (file handles). */
  public static final int MAX_CONNECTIONS_LIMIT = 1_000_000;

  public ClientAddressSettings {
    Objects.requireNonNull(trustedProxies, "trustedProxies");
    Objects.requireNonNull(proxyProtocol, "proxyProtocol");
    if (maxConnectionsPerClient < 0 || maxConnectionsPerClient > MAX_CONNECTIONS_LIMIT) {
      throw new IllegalArgumentException(
          "maxConnectionsPerClient must be between 0 and " + MAX_CONNECTIONS_LIMIT);
    }
  }

  public ClientAddressSettings withTrustedProxies(TrustedProxies proxies) {
    return new ClientAddressSettings(proxies, proxyProtocol, maxConnectionsPerClient);
  }

  public ClientAddressSettings withProxyProtocol(ProxyProtocol mode) {
    return new ClientAddressSettings(trustedProxies, mode, maxConnectionsPerClient);
  }

  public ClientAddressSettings withMaxConnectionsPerClient(int max) {
    return new ClientAddressSettings(trustedProxies, proxyProtocol, max);
  }
}
