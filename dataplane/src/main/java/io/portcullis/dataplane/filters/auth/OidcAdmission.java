package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.LocalResponse;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.snapshot.filter.OidcAuth;
import java.util.List;

/**
 * What happens to a request whose session is valid: the route's allowed users and groups decide
 * whether it goes upstream, and if it does, it carries the chosen claims and tokens in headers
 * and no longer the session cookie.
 */
final class OidcAdmission {
  private final OidcAuth config;
  private final AuthMetrics metrics;

  OidcAdmission(OidcAuth config, AuthMetrics metrics) {
    this.config = config;
    this.metrics = metrics;
  }

  /**
   * Removes the identity headers from a request as it arrives: the backend trusts them, so only
   * we may set them.
   */
  void stripIdentityHeaders(HttpHeaders headers) {
    config.claimHeaders().values().forEach(headers::remove);
    if (config.idTokenHeader() != null) {
      headers.remove(config.idTokenHeader());
    }
    if (config.accessTokenHeader() != null) {
      headers.remove(config.accessTokenHeader());
    }
  }

  /**
   * Sends the request upstream as {@code session}'s user, or answers 403. {@code setCookies}
   * (a refreshed session, or null) reach the browser either way.
   */
  FilterAction admit(FilterContext ctx, OidcSession session, List<String> setCookies) {
    if (!allowed(session)) {
      return forbidden(setCookies);
    }
    HttpHeaders headers = ctx.request().headers();
    config.claimHeaders().forEach((claim, header) -> {
      String value = "groups".equals(claim) || config.groupsClaim().equals(claim)
          ? String.join(",", session.groups()) : session.claims().get(claim);
      if (value != null) {
        headers.set(header, AuthAnswers.headerValue(value));
      }
    });
    if (config.idTokenHeader() != null && session.idToken() != null) {
      headers.set(config.idTokenHeader(), session.idToken());
    }
    if (config.accessTokenHeader() != null && session.accessToken() != null) {
      headers.set(config.accessTokenHeader(), config.accessTokenHeader().equals("authorization")
          ? "Bearer " + session.accessToken() : session.accessToken());
    }
    ChunkedCookies.strip(headers, config.cookieName()); // the session is ours, not the backend's
    if (setCookies != null) {
      ctx.attr(OidcAuthFilter.SET_COOKIES).set(setCookies);
    }
    metrics.record(OidcAuthFilter.MECHANISM, Result.ALLOWED);
    return FilterAction.proceed();
  }

  /** Whether the route lets {@code session}'s user in (no lists: everyone signed in). */
  boolean allowed(OidcSession session) {
    if (!config.allowedUsers().isEmpty() && !config.allowedUsers().contains(session.user())
        && !config.allowedUsers().contains(session.subject())) {
      return false;
    }
    return config.allowedGroups().isEmpty()
        || session.groups().stream().anyMatch(config.allowedGroups()::contains);
  }

  /**
   * 403 for a signed-in user the route does not allow, still setting {@code setCookies} (or
   * none, when null): a new session is still kept, so the user's next request is refused at once
   * instead of being sent to sign in again.
   */
  FilterAction forbidden(List<String> setCookies) {
    metrics.record(OidcAuthFilter.MECHANISM, Result.FORBIDDEN);
    LocalResponse forbidden = AuthAnswers.forbidden(null);
    if (setCookies != null) {
      setCookies.forEach(c -> forbidden.headers().add(HttpHeaderNames.SET_COOKIE, c));
    }
    return FilterAction.respond(forbidden);
  }
}
