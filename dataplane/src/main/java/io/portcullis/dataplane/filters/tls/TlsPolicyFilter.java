package io.portcullis.dataplane.filters.tls;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.http.HostNames;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * A host's TLS policy on the request path. A plain-HTTP request for a host with TLS and {@code
 * redirectHttp} gets a 308 to the same URL over https (308, not 301: the method and body are
 * kept); an HTTPS response of a host with HSTS gets its {@code Strict-Transport-Security} header
 * (never over plain HTTP, where RFC 6797 says browsers must ignore it).
 *
 * <p>Client certificates (downstream mTLS): the SNI name chose which validation the handshake
 * enforced, but one HTTP/1.1 connection can carry requests for several hosts. A request whose
 * host wants a different validation than the connection's handshake enforced gets 421 Misdirected
 * Request (RFC 9110 15.5.20), so the client retries on a connection of its own for that host; a
 * request can never borrow another host's (or no) client certificate check. Over plain HTTP a
 * host that requires client certificates answers 403 unless it redirects to https. That is why
 * every chain holds this filter, hosts without TLS included: their policy is "no client
 * certificate", which a connection that enforced one must not serve.
 *
 * <p>The redirect's port: a request whose Host has no port reached the standard port 80, so the
 * public HTTPS port is taken to be the standard 443 (a Service maps it to the listener); a Host
 * with a port reached a listener directly (local mode, port-forwarding), so the HTTPS listener's
 * own port is used.
 */
public final class TlsPolicyFilter implements HttpFilter {
  static final String HSTS_HEADER = "strict-transport-security";
  /** Hosts we put into a Location header: DNS names only, never anything a client smuggled. */
  private static final Pattern SAFE_HOST = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private final TlsPolicy policy;
  private final IntSupplier httpsPort;
  /** The HSTS header value to set on HTTPS responses, or null. */
  private final String hsts;

  /**
   * @param policy the host's TLS policy, or null for a host served over plain HTTP only
   * @param httpsPort the HTTPS listener's bound port, for redirects of requests that named a port
   * @param routeSetsHsts whether the route's own response headers set or remove the HSTS header,
   *     which then wins over the host's
   */
  public TlsPolicyFilter(TlsPolicy policy, IntSupplier httpsPort, boolean routeSetsHsts) {
    this.policy = policy;
    this.httpsPort = httpsPort;
    this.hsts =
        policy == null || policy.hsts() == null || routeSetsHsts ? null : policy.hsts().headerValue();
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    RequestHead head = ctx.head();
    boolean secure = "https".equals(head.scheme());
    ClientValidation enforced =
        secure && ctx.tls() != null ? ctx.tls().clientValidation() : null;
    ClientValidation wanted = policy == null ? null : policy.clientCertificates();
    if (secure && !Objects.equals(enforced, wanted)) {
      return FilterAction.respond(
          LocalResponse.text(421, "misdirected request: open a new connection for this host\n"));
    }
    if (secure || policy == null) {
      return FilterAction.proceed();
    }
    String host = HostNames.normalize(head.host());
    if (policy.redirectHttp() && host != null && SAFE_HOST.matcher(host).matches()) {
      LocalResponse redirect = LocalResponse.empty(308);
      redirect.headers().set(HttpHeaderNames.LOCATION, location(head, host));
      return FilterAction.respond(redirect);
    }
    if (wanted != null && !wanted.optional()) {
      return FilterAction.respond(
          LocalResponse.text(403, "this host requires a client certificate over https\n"));
    }
    return FilterAction.proceed();
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    if (hsts != null && "https".equals(ctx.head().scheme())) {
      response.headers().set(HSTS_HEADER, hsts);
    }
    return ResponseAction.proceed();
  }

  private String location(RequestHead head, String host) {
    boolean hostHadPort = head.host().indexOf(':') >= 0;
    StringBuilder sb = new StringBuilder("https://").append(host);
    int port = httpsPort.getAsInt();
    if (hostHadPort && port != 443 && port > 0) {
      sb.append(':').append(port);
    }
    sb.append(head.path());
    if (head.query() != null) {
      sb.append('?').append(head.query());
    }
    return sb.toString();
  }
}
