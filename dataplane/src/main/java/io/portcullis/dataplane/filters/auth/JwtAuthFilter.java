package io.portcullis.dataplane.filters.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.nimbusds.jwt.SignedJWT;
import io.netty.handler.codec.http.HttpHeaders;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filters.auth.AuthMetrics.Result;
import io.portcullis.dataplane.filters.auth.JwtVerifier.Verdict;
import io.portcullis.snapshot.filter.JwtAuth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Bearer JWTs (RFC 6750, RFC 7519). A token that verified is remembered until it expires (at
 * most {@link #REMEMBER_MILLIS}), so a client repeating its token pays a map lookup, not a
 * signature check. A token naming a key the set does not hold pauses the request for a
 * (rate-limited) key set refresh: that is how signing key rotation is followed.
 */
final class JwtAuthFilter implements HttpFilter {
  private static final String MECHANISM = "jwt";
  static final long REMEMBER_MILLIS = 300_000;
  private static final String CHALLENGE = "Bearer";

  /** A verified token: the headers its claims put upstream, and when it expires. */
  private record Verified(List<Map.Entry<String, String>> headers, long expiresAtMillis) {}

  private final JwtAuth config;
  private final KeySet keys;
  private final JwtVerifier verifier;
  private final TokenSources sources;
  private final AuthMetrics metrics;
  private final LongSupplier clockMillis;
  private final Cache<String, Verified> verified;

  JwtAuthFilter(JwtAuth config, KeySet keys, AuthMetrics metrics, LongSupplier clockMillis) {
    this.config = config;
    this.keys = keys;
    this.verifier = new JwtVerifier(config);
    this.sources = new TokenSources(config.tokenSources());
    this.metrics = metrics;
    this.clockMillis = clockMillis;
    this.verified = Caffeine.newBuilder()
        .maximumSize(10_000)
        .expireAfter(Expiry.<String, Verified>creating((token, v) -> java.time.Duration.ofMillis(
            Math.max(0, Math.min(REMEMBER_MILLIS, v.expiresAtMillis() - clockMillis.getAsLong())))))
        .build();
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    HttpHeaders headers = ctx.request().headers();
    config.claimHeaders().values().forEach(headers::remove);
    String token = sources.find(ctx);
    if (token == null) {
      metrics.record(MECHANISM, Result.MISSING);
      return FilterAction.respond(AuthAnswers.unauthorized(CHALLENGE));
    }
    Verified known = verified.getIfPresent(token);
    if (known != null && known.expiresAtMillis() > clockMillis.getAsLong()) {
      return allow(ctx, known);
    }
    SignedJWT jwt = JwtVerifier.parse(token);
    if (jwt == null) {
      return invalid("the token is not a signed JWT");
    }
    Verdict verdict = verifier.verify(jwt, keys.current());
    if (!(verdict instanceof JwtVerifier.UnknownKey)) {
      return decide(ctx, token, verdict);
    }
    return FilterAction.pause(keys.refresh().thenApplyAsync(fresh -> {
      if (fresh == null) {
        metrics.record(MECHANISM, Result.UNAVAILABLE);
        return FilterAction.respond(AuthAnswers.unavailable("signing keys could not be fetched"));
      }
      return decide(ctx, token, verifier.verify(jwt, fresh));
    }, ctx.eventLoop()));
  }

  private FilterAction decide(FilterContext ctx, String token, Verdict verdict) {
    if (verdict instanceof JwtVerifier.Valid valid) {
      List<Map.Entry<String, String>> upstream = new ArrayList<>();
      config.claimHeaders().forEach((claim, header) -> {
        Object value = valid.claims().getClaim(claim);
        if (value != null) {
          upstream.add(Map.entry(header, AuthAnswers.headerValue(value instanceof List<?> list
              ? String.join(",", list.stream().map(String::valueOf).toList())
              : String.valueOf(value))));
        }
      });
      Verified v = new Verified(List.copyOf(upstream), valid.expiresAtMillis());
      verified.put(token, v);
      return allow(ctx, v);
    }
    if (verdict instanceof JwtVerifier.Insufficient insufficient) {
      metrics.record(MECHANISM, Result.FORBIDDEN);
      return FilterAction.respond(AuthAnswers.forbidden(CHALLENGE
          + " error=\"insufficient_scope\", error_description="
          + AuthAnswers.quoted(insufficient.description())));
    }
    if (verdict instanceof JwtVerifier.Invalid invalid) {
      return invalid(invalid.description());
    }
    return invalid("no key matches the token");
  }

  private FilterAction invalid(String description) {
    metrics.record(MECHANISM, Result.DENIED);
    return FilterAction.respond(AuthAnswers.unauthorized(CHALLENGE
        + " error=\"invalid_token\", error_description=" + AuthAnswers.quoted(description)));
  }

  private FilterAction allow(FilterContext ctx, Verified v) {
    metrics.record(MECHANISM, Result.ALLOWED);
    HttpHeaders headers = ctx.request().headers();
    for (Map.Entry<String, String> h : v.headers()) {
      headers.set(h.getKey(), h.getValue());
    }
    return FilterAction.proceed();
  }
}
