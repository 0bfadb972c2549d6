package io.portcullis.dataplane.filters.limits;

import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.snapshot.filter.ConcurrencyLimit;
import java.net.InetAddress;

/**
 * Requests in progress per client address on a route (nginx's {@code limit_conn} per
 * {@code $binary_remote_addr}). The client address is the one the filters see: the TCP peer, or
 * what trusted proxies said. Over the limit the request gets 503 (ingress-nginx's
 * {@code limit-conn-status-code}) and never reaches the backend; a request gives its slot back
 * when its exchange ends, answered or broken off.
 */
public final class ConcurrencyLimitFilter implements HttpFilter {
  private final int perClient;
  /** What the count is kept for: the config's group, else the route. */
  private final String group;
  private final ConcurrencyCounts counts;

  public ConcurrencyLimitFilter(ConcurrencyLimit config, ConcurrencyCounts counts) {
    this.perClient = config.perClient();
    this.group = config.group();
    this.counts = counts;
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    InetAddress client = ctx.clientAddress();
    if (client == null) {
      return FilterAction.proceed(); // no address to count by (never on a socket)
    }
    ConcurrencyCounts.Key key = new ConcurrencyCounts.Key(group != null ? group : ctx.routeName(), client);
    if (!counts.tryAcquire(key, perClient)) {
      return FilterAction.respond(LocalResponse.text(503, "too many requests in progress\n"));
    }
    ctx.onExchangeEnd(() -> counts.release(key));
    return FilterAction.proceed();
  }
}
