package io.portcullis.dataplane.filters.auth;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.snapshot.filter.BasicAuth;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * HTTP Basic authentication (RFC 7617). Credentials that verified recently pass at the cost of a
 * digest; others are checked off the event loop while the request pauses. The user name goes
 * upstream in the configured header; whatever the client put there is removed first.
 */
final class BasicAuthFilter implements HttpFilter {
  private static final String MECHANISM = "basic";

  private final BasicAuth config;
  private final PasswordVerifier verifier;
  private final AuthMetrics metrics;
  private final String challenge;

  BasicAuthFilter(BasicAuth config, PasswordVerifier verifier, AuthMetrics metrics) {
    this.config = config;
    this.verifier = verifier;
    this.metrics = metrics;
    this.challenge = "Basic realm=" + AuthAnswers.quoted(config.realm()) + ", charset=\"UTF-8\"";
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    HttpHeaders headers = ctx.request().headers();
    headers.remove(config.userHeader());
    String[] credentials = credentials(headers.get(HttpHeaderNames.AUTHORIZATION));
    if (credentials == null) {
      return deny(Result.MISSING);
    }
    String user = credentials[0];
    String hash = config.users().get(user);
    if (hash == null) {
      return deny(Result.DENIED);
    }
    String key = PasswordVerifier.key(user, credentials[1], hash);
    if (verifier.recentlyVerified(key)) {
      return allow(ctx, user);
    }
    return FilterAction.pause(verifier.verify(key, credentials[1], hash)
        .thenApplyAsync(outcome -> switch (outcome) {
          case MATCH -> allow(ctx, user);
          case MISMATCH -> deny(Result.DENIED);
          case BUSY -> {
            metrics.record(MECHANISM, Result.UNAVAILABLE);
            yield FilterAction.respond(AuthAnswers.unavailable("password checks are queued up"));
          }
        }, ctx.eventLoop()));
  }

  private FilterAction allow(FilterContext ctx, String user) {
    metrics.record(MECHANISM, Result.ALLOWED);
    ctx.request().headers().set(config.userHeader(), user);
    return FilterAction.proceed();
  }

  private FilterAction deny(Result result) {
    metrics.record(MECHANISM, result);
    return FilterAction.respond(AuthAnswers.unauthorized(challenge));
  }

  /** {user, password} from {@code Basic base64(user:password)}, or null when absent or malformed. */
  static String[] credentials(String authorization) {
    if (authorization == null || authorization.length() < 6
        || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    String decoded;
    try {
      decoded = new String(
          Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return null;
    }
    int colon = decoded.indexOf(':');
    if (colon <= 0) {
      return null;
    }
    return new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
  }
}
