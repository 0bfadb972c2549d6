package io.portcullis.operator.compile;

import io.portcullis.operator.crd.RateLimitSpec;
import io.portcullis.snapshot.filter.RateLimitPolicy;
import java.util.List;
import java.util.Map;

/**
 * The {@code rateLimit} field of ProxyRoutes and the {@code portcullis.io/rate-limit-*} Ingress
 * annotations.
 *
 * <p>An Ingress whose rate is unusable gets no limit (there is no rate to guess) and an Event; an
 * unusable burst or key falls back to the default (burst = rate, key = client) with an Event.
 * Keys by JWT claim ({@code claim:<name>}) are refused: rate limits run before authentication, so
 * no claim is known yet when the bucket is chosen.
 */
final class RateLimitTranslation {
  static final String RPS = "portcullis.io/rate-limit-rps";
  static final String BURST = "portcullis.io/rate-limit-burst";
  static final String KEY = "portcullis.io/rate-limit-key";
  private static final String CLAIM_PREFIX = "claim:";

  private RateLimitTranslation() {}

  /** The policy of a ProxyRoute's {@code rateLimit} at {@code field}, or null when it has none. */
  static RateLimitPolicy of(RateLimitSpec spec, String field) throws InvalidInputException {
    if (spec == null) {
      return null;
    }
    if (spec.requestsPerSecond == null) {
      throw new InvalidInputException(field + ".requestsPerSecond is required");
    }
    return build(field, spec.requestsPerSecond, spec.burst == null ? 0 : spec.burst, spec.key);
  }

  /**
   * The policy the annotations ask for, or null without {@code rate-limit-rps} (burst or key
   * alone enable nothing, and are reported).
   */
  static RateLimitPolicy of(Map<String, String> annotations, FilterTranslation.Invalid invalid) {
    String rpsText = annotations.get(RPS);
    if (rpsText == null) {
      for (String other : List.of(BURST, KEY)) {
        if (annotations.containsKey(other)) {
          invalid.report(other, annotations.get(other),
              new InvalidInputException("it has no effect without " + RPS));
        }
      }
      return null;
    }
    long rps = number(rpsText);
    if (rps < 1 || rps > 1_000_000) {
      invalid.report(RPS, rpsText, new InvalidInputException(
          "must be a whole number of requests per second from 1 to 1000000; no rate limit applies"));
      return null;
    }
    long burst = 0;
    String burstText = annotations.get(BURST);
    if (burstText != null) {
      burst = number(burstText);
      if (burst < 1 || burst > 10_000_000) {
        invalid.report(BURST, burstText, new InvalidInputException(
            "must be a whole number from 1 to 10000000; the burst is the rate"));
        burst = 0;
      }
    }
    String key = annotations.get(KEY);
    if (key != null) {
      try {
        build(KEY, rps, burst, key);
      } catch (InvalidInputException e) {
        invalid.report(KEY, key, new InvalidInputException(e.getMessage() + "; the key is client"));
        key = null;
      }
    }
    return new RateLimitPolicy(rps, 1, burst, key);
  }

  private static RateLimitPolicy build(String field, long rps, long burst, String key)
      throws InvalidInputException {
    if (key != null && key.trim().startsWith(CLAIM_PREFIX)) {
      throw new InvalidInputException(field + ": key " + key.trim()
          + " is not supported: rate limits run before authentication, so no JWT claim is known"
          + " yet; use client or header:<name>");
    }
    try {
      return new RateLimitPolicy(rps, 1, burst, key);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage());
    }
  }

  /** The annotation's whole number, or -1 when it is none. */
  private static long number(String text) {
    try {
      return Long.parseLong(text.trim());
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
