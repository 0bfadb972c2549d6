package io.portcullis.dataplane.tls;

import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.Snapshot;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import java.util.HashMap;
import java.util.Map;

/**
 * The TLS policy of each host of one snapshot, looked up as the router looks up virtual hosts:
 * the exact host, else the wildcard one label up. (The host-less virtual host never has one.)
 */
final class HostPolicies {
  private final Snapshot snapshot;
  private final Map<String, TlsPolicy> exact = new HashMap<>();
  private final Map<String, TlsPolicy> wildcard = new HashMap<>();
  /**
   * Response headers with HSTS added, by route name, for the routes of hosts with HSTS: computed
   * once per snapshot so an HTTPS request allocates no header maps.
   */
  private final Map<String, HeaderRewrite> withHsts = new HashMap<>();

  HostPolicies(Snapshot snapshot) {
    this.snapshot = snapshot;
    for (VirtualHost vhost : snapshot.virtualHosts()) {
      if (vhost.tls() == null || vhost.host().equals(VirtualHost.ANY_HOST)) {
        continue;
      }
      if (vhost.isWildcard()) {
        wildcard.put(vhost.host().substring(2), vhost.tls());
      } else {
        exact.put(vhost.host(), vhost.tls());
      }
      if (vhost.tls().hsts() != null) {
        String value = vhost.tls().hsts().headerValue();
        for (Route route : vhost.routes()) {
          withHsts.put(route.name(), TlsRouter.add(route.responseHeaders(), value));
        }
      }
    }
  }

  /** {@code rewrite} of route {@code routeName} with the HSTS header {@code value} added. */
  HeaderRewrite withHsts(String routeName, HeaderRewrite rewrite, String value) {
    HeaderRewrite cached = withHsts.get(routeName);
    return cached != null ? cached : TlsRouter.add(rewrite, value);
  }

  Snapshot snapshot() {
    return snapshot;
  }

  boolean isEmpty() {
    return exact.isEmpty() && wildcard.isEmpty();
  }

  /** The policy for a normalised (lower-case, port-less) host, or null. */
  TlsPolicy lookup(String host) {
    if (host == null) {
      return null;
    }
    TlsPolicy policy = exact.get(host);
    if (policy != null) {
      return policy;
    }
    int dot = host.indexOf('.');
    return dot > 0 ? wildcard.get(host.substring(dot + 1)) : null;
  }
}
