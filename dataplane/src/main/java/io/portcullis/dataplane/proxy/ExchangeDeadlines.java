package io.portcullis.dataplane.proxy;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The deadlines of the exchange in flight on one client connection: per try (response head of the
 * current try), total (the whole exchange, retries included) and idle (no byte either way). One
 * connection has at most one queued timer for all three and for every exchange after another: it
 * fires at the earliest deadline it was scheduled for and re-arms itself when the deadlines moved
 * later meanwhile, so the common case (a request answered in time, the next one starting) costs
 * no timer insert or cancel at all. Only touched from the connection's event loop.
 */
final class ExchangeDeadlines {
  enum Kind {
    PER_TRY("per_try"),
    TOTAL("total"),
    IDLE("idle");

    final String metricName;

    Kind(String metricName) {
      this.metricName = metricName;
    }
  }

  /** The exchange that is told when one of its deadlines passed. */
  interface Target {
    void deadlineReached(Kind kind);
  }

  private final EventExecutor executor;
  private Target target;
  private boolean tryArmed;
  private long tryAt;
  private boolean totalArmed;
  private long totalAt;
  private long idleNanos;
  private long lastActivity;
  private ScheduledFuture<?> timer;
  /** When {@link #timer} fires ({@link System#nanoTime()}). */
  private long timerAt;

  ExchangeDeadlines(EventExecutor executor) {
    this.executor = executor;
  }

  /**
   * Starts watching {@code t}.
   *
   * @param totalNanos 0 for no total deadline
   * @param idleNanos 0 for no idle deadline
   */
  void start(Target t, long now, long totalNanos, long idleNanos) {
    target = t;
    tryArmed = false;
    totalArmed = totalNanos > 0;
    totalAt = now + totalNanos;
    this.idleNanos = idleNanos;
    lastActivity = now;
    ensureTimer(now);
  }

  void armTry(long now, long nanos) {
    tryArmed = true;
    tryAt = now + nanos;
    ensureTimer(now);
  }

  void disarmTry() {
    tryArmed = false;
  }

  void disarmTotal() {
    totalArmed = false;
  }

  /** Bytes moved: the idle deadline starts over. A field write, no timer work. */
  void activity(long now) {
    lastActivity = now;
  }

  /** Time left before the total deadline, or {@link Long#MAX_VALUE} when there is none. */
  long totalRemaining(long now) {
    return totalArmed ? totalAt - now : Long.MAX_VALUE;
  }

  /** {@code t} is over; its deadlines no longer matter. The timer stays queued for the next one. */
  void stop(Target t) {
    if (target == t) {
      target = null;
    }
  }

  /** The connection closed. */
  void cancel() {
    target = null;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private boolean armed() {
    return target != null && (tryArmed || totalArmed || idleNanos > 0);
  }

  private long earliest() {
    long at = Long.MAX_VALUE;
    boolean any = false;
    if (tryArmed) {
      at = tryAt;
      any = true;
    }
    if (totalArmed && (!any || totalAt - at < 0)) {
      at = totalAt;
      any = true;
    }
    if (idleNanos > 0) {
      long idleAt = lastActivity + idleNanos;
      if (!any || idleAt - at < 0) {
        at = idleAt;
      }
    }
    return at;
  }

  private void ensureTimer(long now) {
    if (!armed()) {
      return;
    }
    long at = earliest();
    if (timer != null && timerAt - at > 0) {
      // Queued for a later moment than this deadline needs.
      timer.cancel(false);
      timer = null;
    }
    if (timer == null) {
      schedule(now, at - now);
    }
  }

  private void schedule(long now, long delayNanos) {
    long delay = Math.max(0, delayNanos);
    timerAt = now + delay;
    timer = executor.schedule(this::fired, delay, TimeUnit.NANOSECONDS);
  }

  private void fired() {
    timer = null;
    if (!armed()) {
      return;
    }
    long now = System.nanoTime();
    Kind reached = null;
    if (totalArmed && now - totalAt >= 0) {
      totalArmed = false;
      reached = Kind.TOTAL;
    } else if (tryArmed && now - tryAt >= 0) {
      tryArmed = false;
      reached = Kind.PER_TRY;
    } else if (idleNanos > 0 && now - (lastActivity + idleNanos) >= 0) {
      idleNanos = 0;
      reached = Kind.IDLE;
    }
    if (reached != null) {
      target.deadlineReached(reached);
      now = System.nanoTime();
    }
    if (timer == null && armed()) {
      schedule(now, earliest() - now);
    }
  }
}
