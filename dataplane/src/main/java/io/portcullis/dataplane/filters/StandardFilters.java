package io.portcullis.dataplane.filters;

import io.portcullis.dataplane.filter.ChainCompiler;
import io.portcullis.dataplane.filter.FilterChain;
import io.portcullis.dataplane.filter.FilterRegistry;
import io.portcullis.dataplane.filter.FilterRegistry.StagedFilter;
import io.portcullis.dataplane.filter.FilterStage;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filters.auth.AuthFilters;
import io.portcullis.dataplane.filters.cache.CacheEngine;
import io.portcullis.dataplane.filters.compression.CompressionFilter;
import io.portcullis.dataplane.filters.cors.CorsFilter;
import io.portcullis.dataplane.filters.errorpages.ErrorPagesFilter;
import io.portcullis.dataplane.filters.headers.HeaderRewriteFilter;
import io.portcullis.dataplane.filters.ratelimit.RateLimits;
import io.portcullis.dataplane.filters.iprules.IpRulesFilter;
import io.portcullis.dataplane.filters.limits.BodyLimitFilter;
import io.portcullis.dataplane.filters.limits.ConcurrencyLimits;
import io.portcullis.dataplane.filters.tls.TlsPolicyFilter;
import io.portcullis.dataplane.filters.waf.WafFilter;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.Route;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.VirtualHost;
import io.portcullis.snapshot.filter.AuthPolicy;
import io.portcullis.snapshot.filter.BodyLimit;
import io.portcullis.snapshot.filter.ConcurrencyLimit;
import io.portcullis.snapshot.filter.CachePolicy;
import io.portcullis.snapshot.filter.CompressionPolicy;
import io.portcullis.snapshot.filter.CorsPolicy;
import io.portcullis.snapshot.filter.ErrorPages;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import io.portcullis.snapshot.filter.IpRules;
import io.portcullis.snapshot.filter.WafSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * The dataplane's filter kinds and built-in filters: which snapshot config kind runs as which
 * filter, and what every chain gets besides (the host's TLS policy, the route's header changes).
 * A new filter kind is registered here, in {@link #registry()}.
 */
public final class StandardFilters {
  private static final String HSTS = "strict-transport-security";

  private StandardFilters() {}

  /** Every configurable filter kind, with a cache of its own (tests, tools). */
  public static FilterRegistry registry() {
    return registry(CacheEngine.standalone());
  }

  /** Every configurable filter kind; the {@code cache} kind stores into {@code cache}. */
  public static FilterRegistry registry(CacheEngine cache) {
    return FilterRegistry.builder()
        .add(CorsPolicy.class, FilterStage.CORS, CorsFilter::new)
        .add(AuthPolicy.class, FilterStage.AUTHENTICATION, AuthFilters.shared()::create)
        .add(CachePolicy.class, FilterStage.CACHE, cache::filter)
        .add(CompressionPolicy.class, FilterStage.COMPRESSION, CompressionFilter::new)
        .add(WafSettings.class, FilterStage.WAF, WafFilter::create)
        .add(RateLimitPolicy.class, FilterStage.RATE_LIMIT, RateLimits.shared()::create)
        .add(IpRules.class, FilterStage.IP_RULES, IpRulesFilter::create)
        .add(BodyLimit.class, FilterStage.RATE_LIMIT, BodyLimitFilter::new)
        .add(ConcurrencyLimit.class, FilterStage.RATE_LIMIT, ConcurrencyLimits.shared()::create)
        .add(ErrorPages.class, FilterStage.ERROR_PAGES, ErrorPagesFilter::new)
        .build();
  }

  /** Chains from the standard registry; TLS redirects name {@code httpsPort} when needed. */
  public static ChainCompiler chains(IntSupplier httpsPort) {
    return chains(registry(), httpsPort);
  }

  /** The same with the dataplane's shared cache. */
  public static ChainCompiler chains(IntSupplier httpsPort, CacheEngine cache) {
    return chains(registry(cache), httpsPort);
  }

  /** The same, with a global deny list ({@code --ip-deny}; empty for none) on every chain. */
  public static ChainCompiler chains(IntSupplier httpsPort, CacheEngine cache, List<String> ipDeny) {
    return chains(registry(cache), httpsPort, IpRulesFilter.globalDeny(ipDeny));
  }

  /**
   * Chains from {@code registry} plus the built-in filters. A host without a TLS policy gets the
   * TLS filter only when some host of the snapshot checks client certificates: only then can a
   * connection's handshake have enforced a validation that such a host must refuse (421). So a
   * snapshot without TLS hosts compiles empty chains, and its requests run no filter at all.
   */
  public static ChainCompiler chains(FilterRegistry registry, IntSupplier httpsPort) {
    return chains(registry, httpsPort, null);
  }

  /** The same, with {@code globalDeny} (or null) first at the IP rules stage of every chain. */
  static ChainCompiler chains(
      FilterRegistry registry, IntSupplier httpsPort, HttpFilter globalDeny) {
    TlsPolicyFilter plain = new TlsPolicyFilter(null, httpsPort, false);
    return shared -> {
      boolean clientCertificates = shared.clientCertificates();
      return new ChainCompiler.SnapshotChains() {
        @Override
        public FilterChain route(VirtualHost vhost, Route route) {
          List<StagedFilter> builtIns = new ArrayList<>(2);
          addTls(builtIns, vhost, route);
          addGlobalDeny(builtIns);
          if (!route.requestHeaders().isEmpty() || !route.responseHeaders().isEmpty()) {
            builtIns.add(new StagedFilter(FilterStage.HEADERS,
                new HeaderRewriteFilter(route.requestHeaders(), route.responseHeaders())));
          }
          return registry.compile(vhost.filters(), route.filters(), builtIns);
        }

        @Override
        public FilterChain host(VirtualHost vhost) {
          List<StagedFilter> builtIns = new ArrayList<>(1);
          addTls(builtIns, vhost, null);
          addGlobalDeny(builtIns);
          return registry.compile(vhost == null ? List.of() : vhost.filters(), List.of(), builtIns);
        }

        private void addGlobalDeny(List<StagedFilter> builtIns) {
          if (globalDeny != null) {
            builtIns.add(new StagedFilter(FilterStage.IP_RULES, globalDeny));
          }
        }

        private void addTls(List<StagedFilter> builtIns, VirtualHost vhost, Route route) {
          if ((vhost != null && vhost.tls() != null) || clientCertificates) {
            builtIns.add(
                new StagedFilter(FilterStage.TLS, tlsFilter(vhost, route, plain, httpsPort)));
          }
        }
      };
    };
  }

  private static TlsPolicyFilter tlsFilter(
      VirtualHost vhost, Route route, TlsPolicyFilter plain, IntSupplier httpsPort) {
    TlsPolicy policy = vhost == null ? null : vhost.tls();
    if (policy == null) {
      return plain;
    }
    HeaderRewrite own = route == null ? HeaderRewrite.NONE : route.responseHeaders();
    boolean routeSetsHsts = own.set().containsKey(HSTS) || own.remove().contains(HSTS);
    return new TlsPolicyFilter(policy, httpsPort, routeSetsHsts);
  }

}
