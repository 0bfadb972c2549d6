package io.portcullis.dataplane.http;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One deadline of a connection, moved often and rarely reached (a header-read timeout): arming
 * and disarming only write a field, and at most one timer is queued. When the timer fires early
 * because the deadline moved later meanwhile, it re-arms itself for the rest. Scheduling and
 * cancelling a task per request would cost a priority-queue insert and removal each. Only touched
 * from the connection's event loop.
 */
public final class LazyDeadline {
  private final EventExecutor executor;
  private final Runnable onExpiry;
  /** When the deadline passes ({@link System#nanoTime()}); 0 while disarmed. */
  private long deadlineNanos;
  private ScheduledFuture<?> timer;

  /**
   * @param onExpiry run on {@code executor} once the armed deadline has passed (disarmed first)
   */
  public LazyDeadline(EventExecutor executor, Runnable onExpiry) {
    this.executor = executor;
    this.onExpiry = onExpiry;
  }

  /** Arms the deadline {@code timeoutNanos} from now (a deadline already armed moves). */
  public void arm(long timeoutNanos) {
    long at = System.nanoTime() + timeoutNanos;
    deadlineNanos = at == 0 ? 1 : at; // 0 means disarmed
    if (timer == null) {
      schedule(timeoutNanos);
    }
  }

  public boolean armed() {
    return deadlineNanos != 0;
  }

  /** Disarms without touching the queued timer (it finds nothing to do when it fires). */
  public void disarm() {
    deadlineNanos = 0;
  }

  /** Disarms and removes the queued timer: the connection is going away. */
  public void cancel() {
    deadlineNanos = 0;
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void schedule(long delayNanos) {
    timer = executor.schedule(this::fire, delayNanos, TimeUnit.NANOSECONDS);
  }

  private void fire() {
    timer = null;
    if (deadlineNanos == 0) {
      return;
    }
    long remaining = deadlineNanos - System.nanoTime();
    if (remaining > 0) {
      schedule(remaining);
      return;
    }
    deadlineNanos = 0;
    onExpiry.run();
  }
}
