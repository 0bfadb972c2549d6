package io.portcullis.dataplane.filters.cors;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.snapshot.filter.CorsPolicy;
import java.util.Locale;
import java.util.Set;

/**
 * The CORS protocol of the Fetch standard, answered by the proxy. A preflight ({@code OPTIONS}
 * with {@code Origin} and {@code Access-Control-Request-Method}) never reaches the backend: an
 * allowed one gets 204 with the allow headers, anything else 403. An actual request goes through;
 * its response gets {@code Access-Control-Allow-Origin} (and credentials and expose headers) when
 * the origin is allowed, and no CORS header of ours when it is not, so the browser withholds the
 * response from the page. {@code Vary: Origin} is added whenever the answer depends on the origin,
 * so no shared cache hands one origin's answer to another.
 */
public final class CorsFilter implements HttpFilter {
  /** Methods a page may use without asking (the CORS-safelisted methods). */
  private static final Set<String> SAFELISTED_METHODS = Set.of("GET", "HEAD", "POST");

  private final OriginMatcher origins;
  private final CorsPolicy policy;
  private final String allowMethods;
  private final String allowHeaders;
  private final String exposeHeaders;
  /** The origin list is just {@code *}: answers do not depend on the origin. */
  private final boolean anyOrigin;

  public CorsFilter(CorsPolicy policy) {
    this.policy = policy;
    this.origins = new OriginMatcher(policy.allowOrigins());
    this.anyOrigin = policy.allowOrigins().equals(java.util.List.of("*"));
    this.allowMethods =
        String.join(", ", policy.allowMethods().isEmpty()
            ? java.util.List.of("GET", "HEAD", "POST") : policy.allowMethods());
    this.allowHeaders = String.join(", ", policy.allowHeaders());
    this.exposeHeaders = String.join(", ", policy.exposeHeaders());
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    HttpHeaders headers = ctx.request().headers();
    String origin = headers.get(HttpHeaderNames.ORIGIN);
    String requestedMethod = headers.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_METHOD);
    if (origin == null || requestedMethod == null || !"OPTIONS".equals(ctx.head().method())) {
      return FilterAction.proceed();
    }
    return FilterAction.respond(preflight(origin, requestedMethod,
        headers.get(HttpHeaderNames.ACCESS_CONTROL_REQUEST_HEADERS)));
  }

  private LocalResponse preflight(String origin, String method, String requestedHeaders) {
    if (!origins.allows(origin) || !methodAllowed(method) || !headersAllowed(requestedHeaders)) {
      LocalResponse refused = LocalResponse.text(403, "CORS preflight refused\n");
      vary(refused.headers(), true);
      return refused;
    }
    LocalResponse ok = LocalResponse.empty(204);
    HttpHeaders out = ok.headers();
    allowOrigin(out, origin);
    out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_METHODS, allowMethods);
    if (requestedHeaders != null && !requestedHeaders.isBlank()) {
      // Echo what was asked (checked above); "*" would not cover Authorization, the echo does.
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, requestedHeaders);
    } else if (!allowHeaders.isEmpty()) {
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowHeaders);
    }
    if (policy.maxAgeSeconds() > 0) {
      out.set(HttpHeaderNames.ACCESS_CONTROL_MAX_AGE, Long.toString(policy.maxAgeSeconds()));
    }
    vary(out, true);
    return ok;
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    String origin = ctx.request().headers().get(HttpHeaderNames.ORIGIN);
    HttpHeaders out = response.headers();
    if (origin != null && origins.allows(origin)) {
      allowOrigin(out, origin);
      if (!exposeHeaders.isEmpty()) {
        out.set(HttpHeaderNames.ACCESS_CONTROL_EXPOSE_HEADERS, exposeHeaders);
      }
    }
    vary(out, false);
    return ResponseAction.proceed();
  }

  private void allowOrigin(HttpHeaders out, String origin) {
    if (anyOrigin) {
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
      return;
    }
    out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
    if (policy.allowCredentials()) {
      out.set(HttpHeaderNames.ACCESS_CONTROL_ALLOW_CREDENTIALS, "true");
    }
  }

  private void vary(HttpHeaders out, boolean preflight) {
    if (!anyOrigin) {
      addVary(out, "Origin");
    }
    if (preflight) {
      addVary(out, "Access-Control-Request-Method");
      addVary(out, "Access-Control-Request-Headers");
    }
  }

  private static void addVary(HttpHeaders out, String name) {
    for (String value : out.getAll(HttpHeaderNames.VARY)) {
      for (String part : value.split(",")) {
        String p = part.trim();
        if (p.equals("*") || p.equalsIgnoreCase(name)) {
          return;
        }
      }
    }
    out.add(HttpHeaderNames.VARY, name);
  }

  private boolean methodAllowed(String method) {
    return SAFELISTED_METHODS.contains(method)
        || policy.allowMethods().contains(method)
        || (policy.allowMethods().contains("*") && !policy.allowCredentials());
  }

  private boolean headersAllowed(String requested) {
    if (requested == null || requested.isBlank()) {
      return true;
    }
    if (policy.allowHeaders().contains("*") && !policy.allowCredentials()) {
      return true;
    }
    for (String name : requested.split(",")) {
      String n = name.trim().toLowerCase(Locale.ROOT);
      if (!n.isEmpty() && !policy.allowHeaders().contains(n)) {
        return false;
      }
    }
    return true;
  }
}
