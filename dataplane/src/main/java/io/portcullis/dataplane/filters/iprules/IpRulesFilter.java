package io.portcullis.dataplane.filters.iprules;

import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.net.AddressSet;
import io.portcullis.snapshot.filter.IpRules;
import java.net.InetAddress;
import java.util.List;

/**
 * IP allow and deny lists on the request path: a client in the deny list, or outside a non-empty
 * allow list, gets 403 from the proxy; nothing reaches the backend. Deny wins over allow. The
 * client is {@link FilterContext#clientAddress()}: the address trusted proxies resolved, else
 * the TCP peer. A request without a known client address is refused when an allow list exists
 * (it cannot be shown to be allowed) and let through otherwise.
 *
 * <p>The lookup structures are built here, once per route and snapshot; each request costs two
 * binary searches whatever the lists' lengths.
 */
public final class IpRulesFilter implements HttpFilter {
  private static final String FORBIDDEN = "Forbidden: client address not allowed\n";

  private final AddressSet allow;
  private final AddressSet deny;
  private final IpRulesMetrics metrics;
  /** The metrics label of refusals by {@link #deny}: {@code deny}, or {@code global}. */
  private final String denyList;

  IpRulesFilter(AddressSet allow, AddressSet deny, IpRulesMetrics metrics, String denyList) {
    this.allow = allow;
    this.deny = deny;
    this.metrics = metrics;
    this.denyList = denyList;
  }

  /** The filter for a route's rules, counting into the process's metrics. */
  public static HttpFilter create(IpRules rules) {
    return create(rules, IpRulesMetrics.shared());
  }

  static HttpFilter create(IpRules rules, IpRulesMetrics metrics) {
    if (rules.allow().isEmpty() && rules.deny().isEmpty()) {
      return new HttpFilter() {}; // a route switching its host's rules off
    }
    return new IpRulesFilter(
        AddressSet.of(rules.allowPrefixes()), AddressSet.of(rules.denyPrefixes()), metrics, "deny");
  }

  /**
   * The dataplane's global deny list ({@code --ip-deny}), run on every host's and route's chain
   * ahead of their own IP rules (which cannot switch it off); null when {@code cidrs} is empty.
   * Built once at start and shared by every chain of every snapshot.
   */
  public static HttpFilter globalDeny(List<String> cidrs) {
    return globalDeny(cidrs, IpRulesMetrics.shared());
  }

  static HttpFilter globalDeny(List<String> cidrs, IpRulesMetrics metrics) {
    if (cidrs.isEmpty()) {
      return null;
    }
    IpRules rules = new IpRules(List.of(), cidrs);
    return new IpRulesFilter(
        AddressSet.of(List.of()), AddressSet.of(rules.denyPrefixes()), metrics, "global");
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    InetAddress client = ctx.clientAddress();
    if (deny.contains(client)) {
      return refuse(ctx, denyList);
    }
    if (!allow.isEmpty() && !allow.contains(client)) {
      return refuse(ctx, "allow");
    }
    return FilterAction.proceed();
  }

  private FilterAction refuse(FilterContext ctx, String list) {
    metrics.denied(ctx.routeName(), list);
    return FilterAction.respond(LocalResponse.text(403, FORBIDDEN));
  }
}
