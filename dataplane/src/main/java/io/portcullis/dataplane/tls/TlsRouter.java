package io.portcullis.dataplane.tls;

import io.portcullis.dataplane.config.HostNames;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.dataplane.http.RequestHead;
import io.portcullis.dataplane.config.RouteDecision;
import io.portcullis.dataplane.config.RuntimeConfig;
import io.portcullis.dataplane.proxy.Router;
import io.portcullis.snapshot.HeaderRewrite;
import io.portcullis.snapshot.TlsPolicy;
import io.portcullis.snapshot.TlsPolicy.ClientValidation;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.regex.Pattern;

/**
 * The TLS decisions around routing, as a decorator of the {@link Router}: a plain-HTTP request for
 * a host with TLS and {@code redirectHttp} gets a 308 to the same URL over https (308, not 301:
 * the method and body are kept); an HTTPS response of a host with HSTS gets its
 * {@code Strict-Transport-Security} header (never over plain HTTP, where RFC 6797 says browsers
 * must ignore it).
 *
 * <p>Client certificates (downstream mTLS): the SNI name chose which validation the handshake
 * enforced, but one HTTP/1.1 connection can carry requests for several hosts. A request whose
 * host wants a different validation than the connection's handshake enforced gets 421 Misdirected
 * Request (RFC 9110 15.5.20), so the client retries on a connection of its own for that host; a
 * request can never borrow another host's (or no) client certificate check. Over plain HTTP a
 * host that requires client certificates answers 403 unless it redirects to https.
 *
 * <p>The redirect's port: a request whose Host has no port reached the standard port 80, so the
 * public HTTPS port is taken to be the standard 443 (a Service maps it to the listener); a Host
 * with a port reached a listener directly (local mode, port-forwarding), so the HTTPS listener's
 * own port is used.
 */
public final class TlsRouter implements Router {
  static final String REDIRECT_ROUTE = "https-redirect";
  static final String HSTS_HEADER = "strict-transport-security";
  static final String MISDIRECTED_ROUTE = "tls-misdirected";
  static final String CLIENT_CERT_ROUTE = "tls-client-certificate-required";
  static final RouteDecision MISDIRECTED = new RouteDecision.Direct(
      MISDIRECTED_ROUTE, 421, "misdirected request: open a new connection for this host\n",
      HeaderRewrite.NONE);
  static final RouteDecision CLIENT_CERT_REQUIRED = new RouteDecision.Direct(
      CLIENT_CERT_ROUTE, 403, "this host requires a client certificate over https\n",
      HeaderRewrite.NONE);
  /** Hosts we put into a Location header: DNS names only, never anything a client smuggled. */
  private static final Pattern SAFE_HOST = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private final Router next;
  private final LiveConfig config;
  private final IntSupplier httpsPort;
  private volatile HostPolicies policies;

  /**
   * @param next the router that picks routes
   * @param config where the current snapshot's TLS policies are read
   * @param httpsPort the HTTPS listener's bound port, for redirects of requests that named a port
   */
  public TlsRouter(Router next, LiveConfig config, IntSupplier httpsPort) {
    this.next = next;
    this.config = config;
    this.httpsPort = httpsPort;
  }

  @Override
  public RouteDecision route(RequestHead head) {
    HostPolicies index = policies();
    boolean secure = "https".equals(head.scheme());
    ClientValidation enforced =
        secure && head.tls() != null ? head.tls().clientValidation() : null;
    if (index == null || index.isEmpty()) {
      return enforced != null ? MISDIRECTED : next.route(head);
    }
    String host = HostNames.normalize(head.host());
    TlsPolicy policy = index.lookup(host);
    ClientValidation wanted = policy == null ? null : policy.clientCertificates();
    if (secure && !Objects.equals(enforced, wanted)) {
      return MISDIRECTED;
    }
    if (policy == null) {
      return next.route(head);
    }
    if (!secure) {
      if (policy.redirectHttp() && SAFE_HOST.matcher(host).matches()) {
        return new RouteDecision.Redirect(
            REDIRECT_ROUTE, 308, location(head, host), HeaderRewrite.NONE);
      }
      if (wanted != null && !wanted.optional()) {
        return CLIENT_CERT_REQUIRED;
      }
      return next.route(head);
    }
    RouteDecision decision = next.route(head);
    return policy.hsts() == null
        ? decision : withHsts(decision, index, policy.hsts().headerValue());
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

  /** The policies of the current snapshot, re-indexed only when the snapshot changed. */
  private HostPolicies policies() {
    RuntimeConfig current = config.current();
    if (current == null) {
      return null;
    }
    HostPolicies cached = policies;
    if (cached == null || cached.snapshot() != current.snapshot()) {
      cached = new HostPolicies(current.snapshot());
      policies = cached;
    }
    return cached;
  }

  private static RouteDecision withHsts(RouteDecision decision, HostPolicies index, String value) {
    if (decision instanceof RouteDecision.Forward f) {
      return f.withResponseHeaders(index.withHsts(f.route(), f.responseHeaders(), value));
    }
    if (decision instanceof RouteDecision.Redirect r) {
      return new RouteDecision.Redirect(r.route(), r.status(), r.location(),
          index.withHsts(r.route(), r.responseHeaders(), value));
    }
    if (decision instanceof RouteDecision.Direct d) {
      return new RouteDecision.Direct(d.route(), d.status(), d.body(),
          index.withHsts(d.route(), d.responseHeaders(), value));
    }
    return decision; // a 404 without a route carries no headers of ours
  }

  /** A route's own Strict-Transport-Security setting wins over the host's. */
  static HeaderRewrite add(HeaderRewrite rewrite, String value) {
    if (rewrite.set().containsKey(HSTS_HEADER) || rewrite.remove().contains(HSTS_HEADER)) {
      return rewrite;
    }
    Map<String, String> set = new HashMap<>(rewrite.set());
    set.put(HSTS_HEADER, value);
    return new HeaderRewrite(set, rewrite.remove());
  }
}
