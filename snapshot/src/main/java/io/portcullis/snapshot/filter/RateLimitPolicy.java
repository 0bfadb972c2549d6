package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * A request-rate limit: a token bucket per key that holds {@code burst} requests and refills at
 * {@code requests} per {@code periodSeconds}. A request that finds the bucket empty gets 429 (or
 * {@code rejectStatus}).
 * "N per period" rather than a per-second rate, so a limit per minute ({@code limit-rpm}) or a
 * slow rate (one request every two seconds) is exact in whole numbers.
 *
 * <p>The numbers are the global budget of the route. Each dataplane enforces a share of it: the
 * operator sets {@code dataplanes} to the number of dataplanes it sees connected, so the sum over
 * replicas is about the budget (approximate: a load balancer does not spread one client's
 * requests evenly, and the count lags a scale-up by a moment).
 *
 * @param requests tokens added per period, 1 to 1,000,000
 * @param periodSeconds the refill period in seconds, 1 (the default) to 86400
 * @param burst the bucket's capacity: how many requests may come at once; default {@code
 *     requests}, 1 to 10,000,000
 * @param key what a bucket belongs to: {@code client} (the default: the client address) or
 *     {@code header:<name>} (the header's value; requests without it, or with a value over {@link
 *     #MAX_HEADER_KEY_LENGTH} characters, are keyed by client address). Header names lower case.
 * @param dataplanes how many dataplanes share the budget, 1 (the default) to 10,000; set by the
 *     operator when it publishes, never by users
 * @param rejectStatus the status of a refused request, 400 to 599; default 429 (ingress-nginx's
 *     {@code limit-req-status-code} is 503)
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record RateLimitPolicy(
    long requests, long periodSeconds, long burst, String key, int dataplanes, int rejectStatus)
    implements FilterConfig {
  public static final String KIND = "rateLimit";
  public static final String CLIENT = "client";
  public static final String HEADER_PREFIX = "header:";
  public static final int DEFAULT_REJECT_STATUS = 429;
  /** Longer header values do not get a bucket of their own (a bound on the store's memory). */
  public static final int MAX_HEADER_KEY_LENGTH = 256;
  private static final Pattern TOKEN = Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]+");

  public RateLimitPolicy {
    // 0 and null stand for "not given" (JSON omits defaults); anything else is checked.
    periodSeconds = periodSeconds == 0 ? 1 : periodSeconds;
    burst = burst == 0 ? requests : burst;
    key = key == null || key.isBlank() ? CLIENT : key.trim();
    dataplanes = dataplanes == 0 ? 1 : dataplanes;
    rejectStatus = rejectStatus == 0 ? DEFAULT_REJECT_STATUS : rejectStatus;
    if (requests < 1 || requests > 1_000_000) {
      throw new IllegalArgumentException("rate limit requests must be 1 to 1000000: " + requests);
    }
    if (periodSeconds < 1 || periodSeconds > 86_400) {
      throw new IllegalArgumentException(
          "rate limit period must be 1 to 86400 seconds: " + periodSeconds);
    }
    if (burst < 1 || burst > 10_000_000) {
      throw new IllegalArgumentException("rate limit burst must be 1 to 10000000: " + burst);
    }
    if (dataplanes < 1 || dataplanes > 10_000) {
      throw new IllegalArgumentException("rate limit dataplanes must be 1 to 10000: " + dataplanes);
    }
    if (rejectStatus < 400 || rejectStatus > 599) {
      throw new IllegalArgumentException("rate limit reject status must be 400 to 599: " + rejectStatus);
    }
    key = canonicalKey(key);
  }

  /** A limit refused with 429. */
  public RateLimitPolicy(long requests, long periodSeconds, long burst, String key, int dataplanes) {
    this(requests, periodSeconds, burst, key, dataplanes, 0);
  }

  /** A budget enforced by one dataplane alone. */
  public RateLimitPolicy(long requests, long periodSeconds, long burst, String key) {
    this(requests, periodSeconds, burst, key, 1);
  }

  /** The same budget shared by {@code count} dataplanes. */
  public RateLimitPolicy withDataplanes(int count) {
    return count == dataplanes
        ? this
        : new RateLimitPolicy(requests, periodSeconds, burst, key, count, rejectStatus);
  }

  /** The same limit refusing with {@code status}. */
  public RateLimitPolicy withRejectStatus(int status) {
    return new RateLimitPolicy(requests, periodSeconds, burst, key, dataplanes, status);
  }

  /** {@code requests} per second, burst {@code burst}, keyed by client address. */
  public static RateLimitPolicy perSecond(long requests, long burst) {
    return new RateLimitPolicy(requests, 1, burst, CLIENT);
  }

  /** The header whose value keys the buckets, or null when they are keyed by client address. */
  @JsonIgnore
  public String headerName() {
    return key.startsWith(HEADER_PREFIX) ? key.substring(HEADER_PREFIX.length()) : null;
  }

  /** How long an emptied bucket takes to fill up again: an idle bucket older than this is full. */
  @JsonIgnore
  public Duration refillTime() {
    long millis = Math.multiplyExact(burst, periodSeconds * 1000) / requests;
    return Duration.ofMillis(Math.max(millis, 1));
  }

  @Override
  public String kind() {
    return KIND;
  }

  private static String canonicalKey(String key) {
    if (key.equals(CLIENT)) {
      return key;
    }
    if (key.regionMatches(true, 0, HEADER_PREFIX, 0, HEADER_PREFIX.length())) {
      String name = key.substring(HEADER_PREFIX.length()).trim().toLowerCase(java.util.Locale.ROOT);
      if (!TOKEN.matcher(name).matches()) {
        throw new IllegalArgumentException("rate limit key header: needs a header name: " + key);
      }
      return HEADER_PREFIX + name;
    }
    throw new IllegalArgumentException(
        "rate limit key must be client or header:<name>: " + key);
  }
}
