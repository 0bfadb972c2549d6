package io.portcullis.dataplane.lb;

import io.portcullis.snapshot.ClusterPolicy;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Session affinity through a cookie the proxy issues: a request whose cookie names a candidate
 * goes there; any other request (no cookie, an unknown id, an endpoint that is gone, unhealthy or
 * already tried) is balanced by the fallback and its response carries a fresh cookie. The cookie
 * holds {@link UpstreamEndpoint#id()}, never the address.
 */
final class CookieAffinityBalancer implements Balancer {
  private final ClusterPolicy.AffinityCookie cookie;
  private final Balancer fallback;
  /** The attributes after the value, without and with Secure. */
  private final String attributes;
  private final String secureAttributes;
  private volatile Map<String, UpstreamEndpoint> byId = Map.of();

  CookieAffinityBalancer(ClusterPolicy.AffinityCookie cookie, Balancer fallback) {
    this.cookie = cookie;
    this.fallback = fallback;
    StringBuilder a = new StringBuilder("; Path=").append(cookie.path() == null ? "/" : cookie.path());
    if (cookie.ttlSeconds() > 0) {
      a.append("; Max-Age=").append(cookie.ttlSeconds());
    }
    if (cookie.sameSite() != null) {
      a.append("; SameSite=").append(cookie.sameSite().attribute());
    }
    this.attributes = a + "; HttpOnly";
    this.secureAttributes = a + "; Secure; HttpOnly";
  }

  @Override
  public ClusterPolicy.Policy policy() {
    return ClusterPolicy.Policy.COOKIE_AFFINITY;
  }

  @Override
  public void endpointsChanged(List<UpstreamEndpoint> all) {
    Map<String, UpstreamEndpoint> ids = new HashMap<>();
    for (UpstreamEndpoint e : all) {
      ids.put(e.id(), e);
    }
    byId = Map.copyOf(ids);
    fallback.endpointsChanged(all);
  }

  @Override
  public UpstreamEndpoint pick(
      List<UpstreamEndpoint> all, List<UpstreamEndpoint> candidates, PickContext context) {
    String id = HashKeys.cookie(context.request(), cookie.name());
    if (id != null) {
      UpstreamEndpoint named = byId.get(id);
      if (named != null && (candidates == all || candidates.contains(named))) {
        return named;
      }
    }
    return fallback.pick(all, candidates, context);
  }

  @Override
  public String affinityCookie(UpstreamEndpoint picked, PickContext context) {
    String id = HashKeys.cookie(context.request(), cookie.name());
    if (picked.id().equals(id)) {
      return null;
    }
    return cookie.name() + "=" + picked.id() + (secure(context) ? secureAttributes : attributes);
  }

  private boolean secure(PickContext context) {
    if (cookie.secure() == null) {
      return false;
    }
    return switch (cookie.secure()) {
      case ALWAYS -> true;
      case HTTPS_REQUESTS -> context.request() != null && "https".equals(context.request().scheme());
    };
  }
}
