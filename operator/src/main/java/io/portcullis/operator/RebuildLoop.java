package io.portcullis.operator;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.compile.CompileResult;
import io.portcullis.operator.store.SnapshotStore;
import io.portcullis.snapshot.Snapshot;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one thread that turns cluster changes into snapshots. Sources call {@link #changed()} from
 * any thread, as often as they like; the loop waits until changes have been quiet for a while
 * (or a maximum delay has passed since the first unprocessed change, so a steady trickle cannot
 * starve it), then compiles the current state once, publishes the snapshot and hands the result
 * to a listener (the status writer and metrics).
 *
 * <p>A compile that throws is logged and skipped: the last published snapshot stays live.
 */
public final class RebuildLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RebuildLoop.class);

  /**
   * Quiet time after the last change before compiling; batches bursts of informer events (they
   * arrive microseconds apart). Every single change waits this long before anything happens, so
   * it is a direct part of "write to every dataplane applied" (100 ms was all of that budget).
   */
  public static final Duration DEFAULT_QUIET = Duration.ofMillis(10);

  /** Upper bound on how long a change waits to be compiled, however busy the cluster is. */
  public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(1);

  /** Told about every successful compile, on the loop's thread. */
  @FunctionalInterface
  public interface Listener {
    void compiled(ClusterState state, CompileResult result, Duration compileTime);

    /**
     * Like {@link #compiled(ClusterState, CompileResult, Duration)}, with when the first change of
     * this rebuild's batch arrived ({@link System#nanoTime()}) and whether the version is new.
     */
    default void compiled(ClusterState state, CompileResult result, Duration compileTime,
        long changedAtNanos, boolean newVersion) {
      compiled(state, result, compileTime);
    }

    /** A compile threw; the previous snapshot stays published. */
    default void failed(RuntimeException error) {}
  }

  private final Supplier<ClusterState> state;
  private final Function<ClusterState, CompileResult> compile;
  private final SnapshotStore store;
  private final Listener listener;
  private final long quietNanos;
  private final long maxDelayNanos;
  private final Object lock = new Object();
  private final Thread thread;
  private long firstPendingAt;
  private long lastPendingAt;
  private boolean pending;
  private volatile boolean closed;
  private boolean published;
  /** When the first change of the batch being rebuilt arrived; set under the lock. */
  private long batchChangedAt;

  public RebuildLoop(
      Supplier<ClusterState> state,
      Function<ClusterState, CompileResult> compile,
      SnapshotStore store,
      Listener listener) {
    this(state, compile, store, listener, DEFAULT_QUIET, DEFAULT_MAX_DELAY);
  }

  public RebuildLoop(
      Supplier<ClusterState> state,
      Function<ClusterState, CompileResult> compile,
      SnapshotStore store,
      Listener listener,
      Duration quiet,
      Duration maxDelay) {
    this.state = Objects.requireNonNull(state);
    this.compile = Objects.requireNonNull(compile);
    this.store = Objects.requireNonNull(store);
    this.listener = Objects.requireNonNull(listener);
    this.quietNanos = quiet.toNanos();
    this.maxDelayNanos = maxDelay.toNanos();
    this.thread = new Thread(this::run, "rebuild-loop");
    thread.setDaemon(true);
  }

  public void start() {
    thread.start();
  }

  /** Something changed: compile soon. Cheap and non-blocking; safe from any thread. */
  public void changed() {
    synchronized (lock) {
      long now = System.nanoTime();
      if (!pending) {
        pending = true;
        firstPendingAt = now;
      }
      lastPendingAt = now;
      lock.notifyAll();
    }
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(Duration.ofSeconds(5).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    while (!closed) {
      try {
        awaitBatch();
      } catch (InterruptedException e) {
        return;
      }
      rebuild();
    }
  }

  /** Blocks until there is a pending change and the burst it belongs to is over. */
  private void awaitBatch() throws InterruptedException {
    synchronized (lock) {
      while (true) {
        if (!pending) {
          lock.wait();
          continue;
        }
        long now = System.nanoTime();
        long quietLeft = lastPendingAt + quietNanos - now;
        long maxLeft = firstPendingAt + maxDelayNanos - now;
        long wait = Math.min(quietLeft, maxLeft);
        if (wait <= 0) {
          // Changes arriving from here on start a new batch: this one reads state afterwards.
          pending = false;
          batchChangedAt = firstPendingAt;
          return;
        }
        lock.wait(Math.max(1, wait / 1_000_000), 0);
      }
    }
  }

  private void rebuild() {
    try {
      ClusterState current = state.get();
      long started = System.nanoTime();
      CompileResult result = compile.apply(current);
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      Snapshot snapshot = result.snapshot();
      // The first compile is always logged, even when it equals the empty startup snapshot.
      boolean isNew = !published || !snapshot.version().equals(store.current().version());
      published = true;
      store.publish(snapshot);
      if (isNew) {
        LOG.info(
            "published snapshot version={} routes={} clusters={} compile_ms={}",
            snapshot.version(),
            routeCount(snapshot),
            snapshot.clusters().size(),
            took.toMillis());
      }
      long changedAt;
      synchronized (lock) {
        changedAt = batchChangedAt;
      }
      listener.compiled(current, result, took, changedAt, isNew);
    } catch (RuntimeException e) {
      LOG.error("compile failed, keeping snapshot {}", store.current().version(), e);
      listener.failed(e);
    } catch (StackOverflowError e) {
      // Deeply nested hostile input must not kill the only thread that publishes.
      LOG.error("compile failed, keeping snapshot {}", store.current().version(), e);
      listener.failed(new IllegalStateException(e));
    }
  }

  static int routeCount(Snapshot snapshot) {
    return snapshot.virtualHosts().stream().mapToInt(v -> v.routes().size()).sum();
  }
}
