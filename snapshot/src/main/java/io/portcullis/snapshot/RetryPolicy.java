package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * When a forwarded request is tried again. A retry goes to a different endpoint when the cluster
 * has one, waits a jittered back-off first, counts against the cluster's retry budget, and never
 * happens once any byte of the response has gone to the client. Only idempotent methods (GET,
 * HEAD, OPTIONS, PUT, DELETE, TRACE) are retried unless {@code nonIdempotent} is set; a
 * connect failure is retried for every method, since nothing was sent.
 *
 * @param attempts retries after the first try (0 disables retries)
 * @param on conditions, a subset of {@link #CONDITIONS}
 * @param nonIdempotent also retry POST, PATCH and other non-idempotent methods
 * @param perTryTimeoutMillis time allowed for one try's response headers; 0 means only the
 *     route's total timeout applies
 * @param backoffBaseMillis first back-off (full jitter, doubling per retry)
 * @param backoffMaxMillis cap on the back-off
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RetryPolicy(
    int attempts,
    List<String> on,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) boolean nonIdempotent,
    @JsonInclude(JsonInclude.Include.NON_DEFAULT) long perTryTimeoutMillis,
    long backoffBaseMillis,
    long backoffMaxMillis) {

  /** Conditions a retry policy may name. */
  public static final Set<String> CONDITIONS =
      Set.of("connect-failure", "reset", "timeout", "502", "503", "504");

  /** What a route without a retry policy gets: one retry of a failed connect, any method. */
  public static final RetryPolicy DEFAULT =
      new RetryPolicy(1, List.of("connect-failure"), false, 0, 25, 250);

  public RetryPolicy {
    if (attempts < 0 || attempts > 10) {
      throw new IllegalArgumentException("retry attempts must be 0..10: " + attempts);
    }
    on = Sorted.copy(on, Comparator.naturalOrder());
    for (String condition : on) {
      if (!CONDITIONS.contains(condition)) {
        throw new IllegalArgumentException("unknown retry condition: " + condition);
      }
    }
    ClusterPolicy.requireNonNegative(perTryTimeoutMillis, "per-try timeout");
    if (backoffBaseMillis < 0 || backoffMaxMillis < backoffBaseMillis) {
      throw new IllegalArgumentException("retry back-off must be >= 0 and max >= base");
    }
  }

  public boolean retriesOn(String condition) {
    return on.contains(condition);
  }
}
