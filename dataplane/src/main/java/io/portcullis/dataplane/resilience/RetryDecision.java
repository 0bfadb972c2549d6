package io.portcullis.dataplane.resilience;

import io.portcullis.snapshot.RetryPolicy;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The pure part of retrying: whether a failed try may be tried again under a route's policy, and
 * how long to wait first. The retry budget and deadlines are checked by the caller.
 */
public final class RetryDecision {
  /** Methods RFC 9110 calls idempotent. */
  private static final Set<String> IDEMPOTENT =
      Set.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE");

  private RetryDecision() {}

  /** Why a try failed, named as in {@link RetryPolicy#CONDITIONS}. */
  public enum Condition {
    CONNECT_FAILURE("connect-failure"),
    RESET("reset"),
    TIMEOUT("timeout"),
    STATUS_502("502"),
    STATUS_503("503"),
    STATUS_504("504");

    private final String name;

    Condition(String name) {
      this.name = name;
    }

    public String conditionName() {
      return name;
    }

    /** The condition a response status stands for, or null when it is no failure to retry. */
    public static Condition ofStatus(int status) {
      return switch (status) {
        case 502 -> STATUS_502;
        case 503 -> STATUS_503;
        case 504 -> STATUS_504;
        default -> null;
      };
    }
  }

  /**
   * Whether the policy allows another try.
   *
   * @param retriesDone retries already made (the first try is not one)
   * @param method the request method
   */
  public static boolean allows(
      RetryPolicy policy, Condition condition, int retriesDone, String method) {
    if (retriesDone >= policy.attempts() || !policy.retriesOn(condition.conditionName())) {
      return false;
    }
    // Nothing reached the backend when the connect failed, so any method is safe to send again.
    return condition == Condition.CONNECT_FAILURE
        || policy.nonIdempotent()
        || IDEMPOTENT.contains(method);
  }

  /** Whether {@code method} is idempotent (RFC 9110), so sending it twice does no harm. */
  public static boolean idempotent(String method) {
    return IDEMPOTENT.contains(method);
  }

  /**
   * Back-off before retry number {@code retry} (1 for the first): full jitter, uniform between 0
   * and {@code min(max, base * 2^(retry-1))}, so retries of many clients spread out.
   */
  public static long backoffMillis(RetryPolicy policy, int retry) {
    long base = policy.backoffBaseMillis();
    if (base == 0) {
      return 0;
    }
    int shift = Math.min(30, Math.max(0, retry - 1));
    long ceiling = Math.min(policy.backoffMaxMillis(), base << shift);
    return ThreadLocalRandom.current().nextLong(ceiling + 1);
  }
}
