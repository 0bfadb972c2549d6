package io.portcullis.dataplane.health;

import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.snapshot.ClusterPolicy.HealthCheck;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks one endpoint every interval and turns the results into {@link
 * UpstreamEndpoint#activeHealthy}: {@code unhealthyThreshold} failures in a row make a healthy
 * endpoint unhealthy, {@code healthyThreshold} successes in a row make an unhealthy one healthy
 * again. An endpoint that has never been checked becomes healthy on its first success (as in
 * Envoy), so a new pod takes traffic one check after it is up.
 *
 * <p>All its work runs on one event loop; the next check is scheduled when the previous one ends
 * (after the interval plus up to 10% of it at random), so a slow endpoint is never checked twice
 * at once.
 */
final class HealthProbe {
  private static final Logger log = LoggerFactory.getLogger(HealthProbe.class);

  private final String cluster;
  private final UpstreamEndpoint endpoint;
  private final HealthCheck check;
  private final EventLoop loop;
  private final Function<UpstreamEndpoint, Future<CheckResult>> checker;
  private final AtomicLong checks = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  // Touched on the loop only.
  private int consecutiveSuccesses;
  private int consecutiveFailures;
  private boolean everChecked;
  private volatile boolean stopped;
  private volatile ScheduledFuture<?> next;

  HealthProbe(
      String cluster,
      UpstreamEndpoint endpoint,
      HealthCheck check,
      EventLoop loop,
      Function<UpstreamEndpoint, Future<CheckResult>> checker) {
    this.cluster = cluster;
    this.endpoint = endpoint;
    this.check = check;
    this.loop = loop;
    this.checker = checker;
  }

  /** Schedules the first check after {@code delayMillis} (the caller's jitter). */
  void start(long delayMillis) {
    schedule(delayMillis);
  }

  void stop() {
    stopped = true;
    ScheduledFuture<?> f = next;
    if (f != null) {
      f.cancel(false);
    }
  }

  UpstreamEndpoint endpoint() {
    return endpoint;
  }

  HealthCheck check() {
    return check;
  }

  /** Checks run so far. */
  long checks() {
    return checks.get();
  }

  /** Checks that failed so far. */
  long failures() {
    return failures.get();
  }

  private long nextDelayMillis() {
    long jitter = check.intervalMillis() / 10;
    return check.intervalMillis() + (jitter > 0 ? ThreadLocalRandom.current().nextLong(jitter) : 0);
  }

  private void schedule(long delayMillis) {
    if (stopped) {
      return;
    }
    next = loop.schedule(this::run, delayMillis, TimeUnit.MILLISECONDS);
  }

  private void run() {
    if (stopped) {
      return;
    }
    Future<CheckResult> result;
    try {
      result = checker.apply(endpoint);
    } catch (RuntimeException e) {
      record(CheckResult.failed(e.toString()));
      schedule(nextDelayMillis());
      return;
    }
    result.addListener(
        f -> {
          record(f.isSuccess() ? result.getNow() : CheckResult.failed(f.cause().toString()));
          schedule(nextDelayMillis());
        });
  }

  private void record(CheckResult result) {
    if (stopped) {
      return;
    }
    checks.incrementAndGet();
    boolean first = !everChecked;
    everChecked = true;
    if (result.healthy()) {
      consecutiveFailures = 0;
      consecutiveSuccesses++;
      if (!endpoint.activeHealthy() && (first || consecutiveSuccesses >= check.healthyThreshold())) {
        endpoint.activeHealthy(true);
        log.info("endpoint {} of cluster {} is healthy ({})", endpoint, cluster, result.detail());
      }
    } else {
      failures.incrementAndGet();
      consecutiveSuccesses = 0;
      consecutiveFailures++;
      if (endpoint.activeHealthy() && consecutiveFailures >= check.unhealthyThreshold()) {
        endpoint.activeHealthy(false);
        log.warn("endpoint {} of cluster {} is unhealthy: {}", endpoint, cluster, result.detail());
      } else {
        log.debug("health check of {} in {} failed: {}", endpoint, cluster, result.detail());
      }
    }
  }
}
