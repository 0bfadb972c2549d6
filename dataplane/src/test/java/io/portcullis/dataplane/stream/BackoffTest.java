package io.portcullis.dataplane.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackoffTest {

  @Test
  void theCeilingDoublesFromTheBaseUpToTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    List<Long> ceilings = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ceilings.add(backoff.ceilingMillis());
      long delay = backoff.nextDelayMillis();
      assertTrue(delay >= 0 && delay <= ceilings.get(i), "delay " + delay + " within full jitter");
    }
    assertEquals(List.of(100L, 200L, 400L, 800L, 1600L, 3200L, 6400L, 10_000L, 10_000L, 10_000L),
        ceilings);
  }

  @Test
  void manyFailuresNeverOverflowPastTheCap() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    for (int i = 0; i < 1000; i++) {
      assertTrue(backoff.nextDelayMillis() <= 10_000);
    }
    assertEquals(10_000, backoff.ceilingMillis());
  }

  @Test
  void aResetStartsOverFromTheBase() {
    Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(10));
    backoff.nextDelayMillis();
    backoff.nextDelayMillis();
    backoff.reset();
    assertEquals(100, backoff.ceilingMillis());
  }

  @Test
  void theDelaysAreSpreadNotInLockstep() {
    Backoff backoff = new Backoff(Duration.ofSeconds(10), Duration.ofSeconds(10));
    java.util.Set<Long> distinct = new java.util.HashSet<>();
    for (int i = 0; i < 50; i++) {
      distinct.add(backoff.nextDelayMillis());
    }
    assertTrue(distinct.size() > 10, "full jitter spreads reconnects: " + distinct.size());
  }

  @Test
  void aCapBelowTheBaseIsRefused() {
    assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ofSeconds(1), Duration.ofMillis(10)));
    assertThrows(IllegalArgumentException.class,
        () -> new Backoff(Duration.ZERO, Duration.ofMillis(10)));
  }
}
