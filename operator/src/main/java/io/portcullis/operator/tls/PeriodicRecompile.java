package io.portcullis.operator.tls;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.source.ClusterSource;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A source that also reports a "change" every {@link #DEFAULT_PERIOD}. The compiler judges
 * certificate expiry against the time of each compile, but nothing in the cluster changes when a
 * certificate expires: without this, an expired certificate would be noticed only at the next
 * unrelated change. A recompile of an unchanged cluster yields the same snapshot version, so
 * nothing is sent and no status is rewritten.
 */
public final class PeriodicRecompile implements ClusterSource {
  /** How late an expiry may be noticed. */
  public static final Duration DEFAULT_PERIOD = Duration.ofMinutes(10);

  private final ClusterSource delegate;
  private final Duration period;
  private final ScheduledExecutorService timer;

  public PeriodicRecompile(ClusterSource delegate, Duration period) {
    this.delegate = Objects.requireNonNull(delegate, "delegate");
    if (period.isZero() || period.isNegative()) {
      throw new IllegalArgumentException("period must be positive: " + period);
    }
    this.period = period;
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "periodic-recompile");
      t.setDaemon(true);
      return t;
    });
  }

  @Override
  public void start(Runnable onChange) throws Exception {
    delegate.start(onChange);
    long millis = period.toMillis();
    timer.scheduleAtFixedRate(onChange, millis, millis, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean synced() {
    return delegate.synced();
  }

  @Override
  public ClusterState state() {
    return delegate.state();
  }

  @Override
  public void close() {
    timer.shutdownNow();
    delegate.close();
  }
}
