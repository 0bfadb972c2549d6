package io.portcullis.operator.compile.nginx;

import io.portcullis.snapshot.filter.RateLimitPolicy;

/**
 * limit-rps, limit-rpm and limit-burst-multiplier onto our rate limit: a token bucket per client
 * address refilled at the rate, as ingress-nginx's {@code limit_req ... burst=rate×multiplier
 * nodelay}. nginx admits a request when the excess over the rate stays within the burst, so a
 * fresh client gets burst + 1 requests at once: the bucket holds rate × multiplier (default 5)
 * + 1. With both annotations, the per-second limit applies. Requests over the limit get 503, as
 * ingress-nginx's default {@code limit-req-status-code} (a ConfigMap setting, not an annotation).
 */
final class RateLimitAnnotations {
  static final int DEFAULT_BURST_MULTIPLIER = 5;
  /** ingress-nginx's {@code limit-req-status-code} default. */
  static final int NGINX_REJECT_STATUS = 503;

  private RateLimitAnnotations() {}

  static void read(Reading r) {
    String rps = r.take("limit-rps");
    String rpm = r.take("limit-rpm");
    String multiplierText = r.take("limit-burst-multiplier");
    if (rps == null && rpm == null) {
      return;
    }
    int multiplier = DEFAULT_BURST_MULTIPLIER;
    if (multiplierText != null) {
      try {
        multiplier = Reading.integer(multiplierText, 1, 1000);
      } catch (IllegalArgumentException e) {
        r.invalid("limit-burst-multiplier", multiplierText, e.getMessage() + "; 5 applies");
      }
    }
    String name = rps != null ? "limit-rps" : "limit-rpm";
    String value = rps != null ? rps : rpm;
    try {
      long requests = Reading.integer(value, 1, 1_000_000);
      r.filters.add(new RateLimitPolicy(requests, rps != null ? 1 : 60,
          Math.min(10_000_000, requests * multiplier + 1), RateLimitPolicy.CLIENT, 1,
          NGINX_REJECT_STATUS));
    } catch (IllegalArgumentException e) {
      r.invalid(name, value, e.getMessage() + "; no rate limit applies");
    }
  }
}
