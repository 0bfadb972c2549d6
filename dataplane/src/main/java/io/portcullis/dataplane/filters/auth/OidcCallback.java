package io.portcullis.dataplane.filters.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.dataplane.filters.auth.OidcProvider.Metadata;
import io.portcullis.dataplane.filters.auth.OidcSession.Login;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;

/**
 * The callback path, where the provider sends the browser back: the state must match the login
 * cookie's and not have been redeemed before, then the code is exchanged for tokens, the session
 * cookie is set and the browser goes back to where it started.
 */
final class OidcCallback {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(OidcCallback.class);

  private final OidcCookies cookies;
  private final OidcTokenExchange tokens;
  private final OidcAdmission admission;
  private final OidcRequestOrigin origin;
  private final AuthMetrics metrics;
  private final LongSupplier nowSeconds;
  /** States already redeemed: a replayed callback is refused even with its login cookie. */
  private final Cache<String, Boolean> usedStates = Caffeine.newBuilder()
      .maximumSize(100_000).expireAfterWrite(Duration.ofSeconds(OidcSignIn.LOGIN_SECONDS))
      .build();

  OidcCallback(OidcCookies cookies, OidcTokenExchange tokens, OidcAdmission admission,
      OidcRequestOrigin origin, AuthMetrics metrics, LongSupplier nowSeconds) {
    this.cookies = cookies;
    this.tokens = tokens;
    this.admission = admission;
    this.origin = origin;
    this.metrics = metrics;
    this.nowSeconds = nowSeconds;
  }

  /** The answer to the callback request; completes on the request's event loop. */
  CompletionStage<FilterAction> handle(FilterContext ctx, Metadata md,
      Map<String, String> requestCookies) {
    Map<String, List<String>> query =
        new QueryStringDecoder(ctx.head().query() == null ? "" : ctx.head().query(), false)
            .parameters();
    String error = first(query, "error");
    if (error != null) {
      return done(badLogin(401, "sign-in failed at the provider: " + error));
    }
    String code = first(query, "code");
    String state = first(query, "state");
    Login login = cookies.login(requestCookies);
    if (code == null || state == null || login == null) {
      return done(badLogin(400, "no sign-in in progress (or it expired): start again"));
    }
    if (!login.state().equals(state)
        || nowSeconds.getAsLong() - login.startedAt() > OidcSignIn.LOGIN_SECONDS) {
      return done(badLogin(400, "the sign-in state does not match: start again"));
    }
    if (usedStates.asMap().putIfAbsent(state, Boolean.TRUE) != null) {
      return done(badLogin(400, "this sign-in was already completed: start again"));
    }
    return tokens.redeemCode(md, code, origin.redirectUri(ctx), login.verifier(), login.nonce())
        .handle((session, failure) -> {
          if (failure != null) {
            log.warn("oidc sign-in on route {} failed: {}", ctx.routeName(), failure.toString());
          }
          return session;
        })
        .thenApplyAsync(session -> {
          if (session == null) {
            metrics.record(OidcAuthFilter.MECHANISM, Result.DENIED);
            return FilterAction.respond(LocalResponse.text(401, "sign-in failed\n"));
          }
          List<String> setCookies =
              new ArrayList<>(cookies.writeSession(ctx, session, requestCookies));
          setCookies.add(cookies.clearLogin(ctx));
          if (!admission.allowed(session)) {
            return admission.forbidden(setCookies);
          }
          metrics.record(OidcAuthFilter.MECHANISM, Result.ALLOWED);
          LocalResponse r = AuthAnswers.redirect(safeReturn(login.returnTo()));
          setCookies.forEach(c -> r.headers().add(HttpHeaderNames.SET_COOKIE, c));
          return FilterAction.respond(r);
        }, ctx.eventLoop());
  }

  private FilterAction badLogin(int status, String why) {
    metrics.record(OidcAuthFilter.MECHANISM, Result.DENIED);
    return FilterAction.respond(LocalResponse.text(status, AuthAnswers.headerValue(why) + "\n"));
  }

  /** Only a local path: the login never becomes an open redirect. */
  private static String safeReturn(String returnTo) {
    return returnTo != null && returnTo.startsWith("/") && !returnTo.startsWith("//")
        && !returnTo.startsWith("/\\") ? returnTo : "/";
  }

  private static CompletionStage<FilterAction> done(FilterAction action) {
    return CompletableFuture.completedFuture(action);
  }

  private static String first(Map<String, List<String>> query, String name) {
    List<String> values = query.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }
}
