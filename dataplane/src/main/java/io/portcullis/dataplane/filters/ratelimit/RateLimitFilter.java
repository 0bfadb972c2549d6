package io.portcullis.dataplane.filters.ratelimit;

import io.github.bucket4j.ConsumptionProbe;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.portcullis.dataplane.filter.FilterAction;
import io.portcullis.dataplane.filter.FilterContext;
import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.dataplane.filter.LocalResponse;
import java.util.concurrent.TimeUnit;

/**
 * A route's request-rate limit: each request takes a token from its key's bucket; with none left
 * it is answered 429 (or the policy's reject status) here, before authentication, the WAF or the
 * backend spend anything on it.
 *
 * <p>The answer carries {@code Retry-After} (seconds until a token is back, rounded up) and the
 * {@code RateLimit-Policy} and {@code RateLimit} fields of the IETF httpapi draft
 * draft-ietf-httpapi-ratelimit-headers-11 (structured fields: {@code "client";q=10;w=1} and
 * {@code "client";r=0;t=1}). Requests let through carry none of them: the draft makes them
 * optional, and writing them would cost every request of a limited route two header writes and a
 * formatted string for information that matters to a client only once it is throttled.
 */
final class RateLimitFilter implements HttpFilter {
  static final String RATE_LIMIT_POLICY = "ratelimit-policy";
  static final String RATE_LIMIT = "ratelimit";

  private final Limit limit;
  private final KeySource keys;
  private final BucketStore store;
  private final RateLimitMetrics metrics;
  /** The policy field is the same for every answer of this route: built once. */
  private final String policyField;

  RateLimitFilter(Limit limit, BucketStore store, RateLimitMetrics metrics) {
    this.limit = limit;
    this.keys = KeySource.of(limit.policy());
    this.store = store;
    this.metrics = metrics;
    this.policyField = "\"" + keys.label() + "\";q=" + limit.policy().requests()
        + ";w=" + limit.policy().periodSeconds();
  }

  @Override
  public FilterAction onRequest(FilterContext ctx) {
    ConsumptionProbe probe = store.tryConsume(new BucketKey(limit, ctx.routeName(), keys.of(ctx)));
    if (probe.isConsumed()) {
      metrics.allowed(ctx.routeName());
      return FilterAction.proceed();
    }
    metrics.rejected(ctx.routeName());
    return FilterAction.respond(tooManyRequests(probe.getNanosToWaitForRefill()));
  }

  private LocalResponse tooManyRequests(long nanosToWait) {
    long seconds = Math.max(1, (nanosToWait + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
    int status = limit.policy().rejectStatus();
    LocalResponse response =
        LocalResponse.text(status, HttpResponseStatus.valueOf(status).reasonPhrase() + "\n");
    response.headers()
        .set(HttpHeaderNames.RETRY_AFTER, seconds)
        .set(RATE_LIMIT_POLICY, policyField)
        .set(RATE_LIMIT, "\"" + keys.label() + "\";r=0;t=" + seconds);
    return response;
  }
}
