package io.portcullis.dataplane.proxy;

import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.portcullis.dataplane.resilience.ClusterLimits;
import io.portcullis.dataplane.resilience.Overflow;
import io.portcullis.dataplane.resilience.ReplayBuffer;
import io.portcullis.dataplane.resilience.RetryDecision;
import io.portcullis.snapshot.RetryPolicy;
import java.util.List;

/**
 * Whether and when a forwarded request is tried again, under the route's retry policy: after a
 * failed connect, a reset or a per-try timeout before the response head, or a retriable status
 * (whose response is drained, never sent); after a jittered back-off, within the retry budget and
 * the total deadline, and only while the body sent so far can be sent again (the replay buffer).
 */
final class Retries {
  private final RetryPolicy policy;
  private final ClusterLimits limits;
  private final String method;
  private int done;
  private boolean holdsSlot;
  /** Body parts sent so far, for a retry to send again; null when no retry could need them. */
  private ReplayBuffer replay;
  private boolean bodySent;
  /**
   * The end of the request went to an earlier try. A retry without a replay buffer (a request
   * without body) must end the request again: an HTTP/2 stream stays open until it is told.
   */
  private boolean endSent;

  Retries(RetryPolicy policy, ClusterLimits limits, String method, boolean hasBody,
      int maxReplayBytes) {
    this.policy = policy;
    this.limits = limits;
    this.method = method;
    if (hasBody && retriesAfterSending(policy)) {
      replay = new ReplayBuffer(maxReplayBytes);
    }
  }

  RetryPolicy policy() {
    return policy;
  }

  /** Retries done so far (the access log's {@code retries}). */
  int done() {
    return done;
  }

  boolean bodySent() {
    return bodySent;
  }

  /** Records a body part about to be written upstream. */
  void sending(HttpContent content) {
    if (replay != null) {
      replay.record(content);
    }
    bodySent |= content.content().isReadable();
    endSent |= content instanceof LastHttpContent;
  }

  /** What a retry sends again before the rest of the body: the parts replayed, or an empty end. */
  List<HttpContent> resend() {
    if (replay != null && done > 0) {
      return replay.replay();
    }
    return endSent ? List.of(LastHttpContent.EMPTY_LAST_CONTENT) : List.of();
  }

  /**
   * The back-off before retrying after {@code condition}, or -1 when no retry may follow.
   *
   * @param overflow told which circuit breaker refused, when the retry budget did
   */
  long backoff(RetryDecision.Condition condition, boolean upgrade, long totalRemainingNanos,
      java.util.function.Consumer<Overflow> overflow) {
    if (upgrade && bodySent) {
      return -1;
    }
    if (!RetryDecision.allows(policy, condition, done, method)) {
      return -1;
    }
    if (bodySent && (replay == null || !replay.replayable())) {
      return -1; // the body is gone: it was larger than the replay limit
    }
    long backoff = RetryDecision.backoffMillis(policy, done + 1);
    if (totalRemainingNanos <= java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(backoff)) {
      return -1;
    }
    if (!holdsSlot) {
      if (!limits.tryStartRetry()) {
        overflow.accept(Overflow.RETRY_BUDGET);
        return -1;
      }
      holdsSlot = true;
    }
    return backoff;
  }

  /** A retry is scheduled. */
  void counting() {
    done++;
  }

  /** No retry follows any more: the replay buffer goes. */
  void noMore() {
    if (replay != null) {
      replay.release();
      replay = null;
    }
  }

  /** Gives back the retry slot and the replay buffer; safe to call more than once. */
  void end() {
    if (holdsSlot) {
      holdsSlot = false;
      limits.retryEnded();
    }
    noMore();
  }

  /** Whether a try can fail after part of the body was sent, so the body must be kept to resend. */
  private static boolean retriesAfterSending(RetryPolicy policy) {
    return policy.attempts() > 0
        && policy.on().stream().anyMatch(c -> !c.equals("connect-failure"));
  }
}
