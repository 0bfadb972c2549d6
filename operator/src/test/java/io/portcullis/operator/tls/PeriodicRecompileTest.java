package io.portcullis.operator.tls;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.ClusterState;
import io.portcullis.operator.source.ClusterSource;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PeriodicRecompileTest {

  /** A source that reports once at start, as real sources do, and never again. */
  private static final class QuietSource implements ClusterSource {
    final AtomicBoolean closed = new AtomicBoolean();

    @Override
    public void start(Runnable onChange) {
      onChange.run();
    }

    @Override
    public boolean synced() {
      return true;
    }

    @Override
    public ClusterState state() {
      return ClusterState.empty();
    }

    @Override
    public void close() {
      closed.set(true);
    }
  }

  @Test
  void aQuietClusterIsStillRecompiledSoCertificateExpiryIsNoticed() throws Exception {
    QuietSource quiet = new QuietSource();
    AtomicInteger changes = new AtomicInteger();
    try (PeriodicRecompile source = new PeriodicRecompile(quiet, Duration.ofMillis(20))) {
      source.start(changes::incrementAndGet);
      await().atMost(Duration.ofSeconds(5)).until(() -> changes.get() >= 3);
      assertEquals(ClusterState.empty(), source.state());
    }
    assertTrue(quiet.closed.get());
    int afterClose = changes.get();
    // The timer is stopped: awaiting a fixed count of further periods would be sleep-and-hope, so
    // check that a close followed by a generous number of scheduler turns adds at most the one
    // run that may have been in flight.
    await().during(Duration.ofMillis(200)).atMost(Duration.ofSeconds(2))
        .until(() -> changes.get() <= afterClose + 1);
  }
}
