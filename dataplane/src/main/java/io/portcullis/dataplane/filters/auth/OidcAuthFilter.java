package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.AttributeKey;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.ResponseAction;
import io.portcullis.dataplane.filter.SubrequestClient;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.dataplane.filters.auth.OidcProvider.Metadata;
import io.portcullis.snapshot.filter.OidcAuth;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * OpenID Connect relying party. A request with a valid session cookie goes upstream with the
 * chosen claims and tokens in headers (refreshing the tokens first when they are about to
 * expire); a browser without one is sent to the provider (authorization code flow, PKCE S256,
 * state and nonce in a sealed short-lived login cookie); an API client gets 401. The provider
 * sends the browser back to the callback path, where the code is exchanged for tokens (a
 * subrequest, off the event loop), the ID token is checked, and the session cookie is set.
 *
 * <p>This class only decides which of those a request is; {@link OidcSignIn},
 * {@link OidcCallback}, {@link OidcLogout}, {@link OidcTokenExchange} and {@link OidcAdmission}
 * do them.
 */
final class OidcAuthFilter implements HttpFilter {
  private static final org.slf4j.Logger log =
      org.slf4j.LoggerFactory.getLogger(OidcAuthFilter.class);
  static final String MECHANISM = "oidc";
  /** Set-Cookie values (a refreshed session) to add to the upstream's response. */
  static final AttributeKey<List<String>> SET_COOKIES =
      AttributeKey.valueOf("portcullis.oidc.setCookies");
  /** Tokens are refreshed this long before they expire. */
  static final long REFRESH_EARLY_SECONDS = 30;

  private final OidcAuth config;
  private final OidcProvider provider;
  private final AuthMetrics metrics;
  private final LongSupplier nowSeconds;
  private final OidcCookies cookies;
  private final OidcAdmission admission;
  private final OidcTokenExchange tokens;
  private final OidcSignIn signIn;
  private final OidcCallback callback;
  private final OidcLogout logout;

  OidcAuthFilter(OidcAuth config, OidcProvider provider, SubrequestClient client,
      AuthMetrics metrics, LongSupplier clockMillis) {
    this.config = config;
    this.provider = provider;
    this.metrics = metrics;
    this.nowSeconds = () -> clockMillis.getAsLong() / 1000;
    OidcRequestOrigin origin = new OidcRequestOrigin(config);
    this.cookies = new OidcCookies(config, origin, nowSeconds);
    this.admission = new OidcAdmission(config, metrics);
    this.tokens = new OidcTokenExchange(config, client, new OidcIdTokens(config), nowSeconds);
    this.signIn = new OidcSignIn(config, cookies, origin, metrics, nowSeconds);
    this.callback = new OidcCallback(cookies, tokens, admission, origin, metrics, nowSeconds);
    this.logout = new OidcLogout(config, cookies);
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    admission.stripIdentityHeaders(ctx.request().headers());
    Map<String, String> requestCookies = ChunkedCookies.parse(ctx.request().headers());
    String path = ctx.head().path();
    if (path.equals(config.callbackPath())) {
      return withProvider(ctx, md -> callback.handle(ctx, md, requestCookies));
    }
    if (path.equals(config.logoutPath())) {
      // Signing out works without the provider too (md is then null).
      return FilterAction.pause(provider.metadata()
          .handle((md, error) -> md)
          .thenApplyAsync(md -> logout.handle(ctx, md, requestCookies), ctx.eventLoop()));
    }
    OidcSession session = cookies.session(requestCookies);
    long now = nowSeconds.getAsLong();
    if (session != null && session.endsAt() > now) {
      if (session.accessExpiresAt() > now + REFRESH_EARLY_SECONDS
          || (session.refreshToken() == null && session.accessExpiresAt() > now)) {
        return admission.admit(ctx, session, null);
      }
      if (session.refreshToken() != null) {
        return withProvider(ctx, md -> refreshThenAdmit(ctx, md, session, requestCookies));
      }
    }
    return withProvider(ctx,
        md -> CompletableFuture.completedFuture(signIn.start(ctx, md, requestCookies)));
  }

  @Override
  public ResponseAction onResponse(FilterContext ctx, HttpResponse response) {
    List<String> setCookies = ctx.attr(SET_COOKIES).getAndSet(null);
    if (setCookies != null) {
      setCookies.forEach(c -> response.headers().add(HttpHeaderNames.SET_COOKIE, c));
    }
    return ResponseAction.proceed();
  }

  /**
   * Admits with fresh tokens and a rewritten session cookie; a failed refresh (a revoked or
   * expired refresh token, say) sends the user to sign in again rather than failing the request.
   */
  private CompletionStage<FilterAction> refreshThenAdmit(FilterContext ctx, Metadata md,
      OidcSession session, Map<String, String> requestCookies) {
    return tokens.refresh(md, session)
        .handle((fresh, error) -> {
          if (error != null) {
            log.info("oidc refresh on route {} failed, signing in again: {}",
                ctx.routeName(), error.toString());
          }
          return fresh;
        })
        .thenApplyAsync(fresh -> fresh == null ? signIn.start(ctx, md, requestCookies)
            : admission.admit(ctx, fresh, cookies.writeSession(ctx, fresh, requestCookies)),
            ctx.eventLoop());
  }

  /** Pauses until the provider's metadata is known, then runs {@code next} on the event loop. */
  private FilterAction withProvider(FilterContext ctx,
      Function<Metadata, CompletionStage<FilterAction>> next) {
    return FilterAction.pause(provider.metadata().handle((md, error) -> md)
        .thenComposeAsync(md -> {
          if (md == null) {
            metrics.record(MECHANISM, Result.UNAVAILABLE);
            return CompletableFuture.completedFuture(FilterAction.respond(
                AuthAnswers.unavailable("the identity provider cannot be reached")));
          }
          return next.apply(md);
        }, ctx.eventLoop()));
  }
}
