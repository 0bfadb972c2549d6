package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.dataplane.filters.auth.OidcProvider.Metadata;
import io.portcullis.dataplane.filters.auth.OidcSession.Login;
import io.portcullis.snapshot.filter.OidcAuth;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Starts the authorization code flow for a request without a session: a browser is redirected
 * to the provider with a fresh state, nonce and PKCE (S256) challenge, which are kept in the
 * sealed login cookie for the callback to check; an API client gets 401, since it cannot follow
 * a login page.
 */
final class OidcSignIn {
  private static final SecureRandom RANDOM = new SecureRandom();
  /** How long a login may take, from the redirect to the provider to the callback. */
  static final long LOGIN_SECONDS = 600;

  private final OidcAuth config;
  private final OidcCookies cookies;
  private final OidcRequestOrigin origin;
  private final AuthMetrics metrics;
  private final LongSupplier nowSeconds;

  OidcSignIn(OidcAuth config, OidcCookies cookies, OidcRequestOrigin origin, AuthMetrics metrics,
      LongSupplier nowSeconds) {
    this.config = config;
    this.cookies = cookies;
    this.origin = origin;
    this.metrics = metrics;
    this.nowSeconds = nowSeconds;
  }

  /** The answer to a request with no usable session; a stale session cookie is cleared. */
  FilterAction start(FilterContext ctx, Metadata md, Map<String, String> requestCookies) {
    metrics.record(OidcAuthFilter.MECHANISM, Result.MISSING);
    List<String> clear = cookies.clearStaleSession(ctx, requestCookies);
    if (apiClient(ctx)) {
      LocalResponse r = AuthAnswers.unauthorized("Bearer");
      clear.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
      return FilterAction.respond(r);
    }
    // Only a GET or HEAD can be replayed by a redirect after the login; anything else lands on /.
    String method = ctx.head().method();
    String returnTo = method.equals("GET") || method.equals("HEAD")
        ? ctx.head().path() + (ctx.head().query() == null ? "" : "?" + ctx.head().query()) : "/";
    Login login = new Login(random(), random(), random() + random(), returnTo,
        nowSeconds.getAsLong());
    Map<String, String> params = new LinkedHashMap<>();
    params.put("response_type", "code");
    params.put("client_id", config.clientId());
    params.put("redirect_uri", origin.redirectUri(ctx));
    params.put("scope", String.join(" ", config.scopes()));
    params.put("state", login.state());
    params.put("nonce", login.nonce());
    params.put("code_challenge", challenge(login.verifier()));
    params.put("code_challenge_method", "S256");
    LocalResponse r = AuthAnswers.redirect(
        UrlForms.withQuery(md.authorizationEndpoint().toString(), params));
    clear.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
    r.headers().add(HttpHeaderNames.SET_COOKIE, cookies.writeLogin(ctx, login));
    return FilterAction.respond(r);
  }

  /** Scripts and API clients cannot follow a login redirect: they get 401. */
  private static boolean apiClient(FilterContext ctx) {
    HttpHeaders h = ctx.request().headers();
    if ("XMLHttpRequest".equalsIgnoreCase(h.get("x-requested-with"))) {
      return true;
    }
    String method = ctx.head().method();
    if (!method.equals("GET") && !method.equals("HEAD")) {
      return true;
    }
    String accept = h.get(HttpHeaderNames.ACCEPT);
    return accept != null && accept.contains("application/json") && !accept.contains("text/html");
  }

  /** 192 random bits, base64url: unguessable state, nonce, and (twice) the PKCE verifier. */
  private static String random() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The PKCE S256 challenge for {@code verifier} (RFC 7636 4.2). */
  static String challenge(String verifier) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(verifier.getBytes(StandardCharsets.US_ASCII));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
