package io.portcullis.snapshot;

import java.util.List;
import java.util.Map;

/** A snapshot that uses every kind of match, action and rewrite, for golden files and round trips. */
final class Fixtures {
  private Fixtures() {}

  static Cluster shop() {
    return new Cluster("default/shop:80",
        List.of(new Endpoint("10.0.0.2", 8080), new Endpoint("10.0.0.1", 8080)));
  }

  static Cluster shopCanary() {
    return new Cluster("default/shop-canary:80", List.of(new Endpoint("fd00::1", 8080)));
  }

  static Cluster fallback() {
    return new Cluster("default/fallback:80", List.of());
  }

  static VirtualHost shopHost() {
    Route api = new Route(
        "proxyroute/default/shop/api",
        new RouteMatch(
            new PathMatch.Prefix("/api/"),
            List.of(
                new HeaderMatch("X-Tenant", HeaderMatch.Type.EXACT, "acme"),
                new HeaderMatch("x-canary", HeaderMatch.Type.PRESENT, null),
                new HeaderMatch("user-agent", HeaderMatch.Type.PREFIX, "curl/")),
            List.of("post", "GET")),
        new RouteAction.Forward(
            List.of(new WeightedBackend("default/shop:80", 90),
                new WeightedBackend("default/shop-canary:80", 10)),
            "/v2/", 2500),
        new HeaderRewrite(Map.of("X-Route", "api"), List.of("X-Debug")),
        new HeaderRewrite(Map.of("cache-control", "no-store"), List.of("server")));
    Route exact = Route.of("proxyroute/default/shop/health",
        RouteMatch.path(new PathMatch.Exact("/healthz")), new RouteAction.DirectResponse(200, "ok"));
    Route regex = Route.of("proxyroute/default/shop/old",
        RouteMatch.path(new PathMatch.Regex("/old/[0-9]+")),
        new RouteAction.Redirect("https", "new.example.com", 8443, "/new", 308));
    Route rest = Route.of("ingress/default/shop/r0/p0",
        RouteMatch.path(new PathMatch.Prefix("/")), RouteAction.Forward.to("default/shop:80"));
    return new VirtualHost("Shop.Example.com", List.of(api, exact, regex, rest));
  }

  static VirtualHost wildcardHost() {
    return new VirtualHost("*.example.com", List.of(Route.of("ingress/default/wild/r0/p0",
        RouteMatch.path(new PathMatch.Prefix("/")),
        new RouteAction.Redirect(null, null, 0, null, 301))));
  }

  static Snapshot everything() {
    return Snapshot.of(List.of(wildcardHost(), shopHost()),
        List.of(shopCanary(), shop(), fallback()), "default/fallback:80");
  }

  /** {@link #everything()} with one more endpoint, one host dropped and a cluster removed. */
  static Snapshot changed() {
    Cluster shop = new Cluster("default/shop:80", List.of(new Endpoint("10.0.0.1", 8080),
        new Endpoint("10.0.0.2", 8080), new Endpoint("10.0.0.3", 8080)));
    VirtualHost host = new VirtualHost("shop.example.com", List.of(Route.of(
        "ingress/default/shop/r0/p0", RouteMatch.path(new PathMatch.Prefix("/")),
        RouteAction.Forward.to("default/shop:80"))));
    return Snapshot.of(List.of(host), List.of(shop, fallback()), null);
  }

  /**
   * A stand-in certificate: the snapshot module never parses PEM, so no real key is needed (and
   * none is checked in).
   */
  static TlsCertificate certificate(String name, String serial) {
    return new TlsCertificate(name,
        "-----BEGIN CERTIFICATE-----\nMIIB" + serial + "\n-----END CERTIFICATE-----\n",
        "-----BEGIN PRIVATE KEY-----\nNOT-A-REAL-KEY-" + serial + "\n-----END PRIVATE KEY-----\n");
  }

  /** {@link #everything()} served over TLS: the shop host with its own certificate and HSTS. */
  static Snapshot withTls() {
    Snapshot base = everything();
    VirtualHost shop = shopHost();
    VirtualHost tlsShop = new VirtualHost(shop.host(), shop.routes(),
        new TlsPolicy("default/shop-tls", true, new TlsPolicy.Hsts(31536000, true)));
    VirtualHost wildcard = wildcardHost();
    VirtualHost tlsWildcard =
        new VirtualHost(wildcard.host(), wildcard.routes(), new TlsPolicy(null, false, null));
    return Snapshot.of(List.of(tlsWildcard, tlsShop), base.clusters(), base.defaultCluster(),
        List.of(certificate("default/shop-tls", "1"), certificate("portcullis/default", "0")),
        "portcullis/default");
  }
}
