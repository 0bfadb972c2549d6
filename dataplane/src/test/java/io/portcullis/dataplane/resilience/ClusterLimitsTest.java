package io.portcullis.dataplane.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.snapshot.ClusterPolicy.CircuitBreakers;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ClusterLimitsTest {

  @Test
  void manyThreadsNeverHoldMoreRequestSlotsThanTheLimitAndGiveThemAllBack() throws Exception {
    ClusterLimits limits = new ClusterLimits(new CircuitBreakers(1024, 1024, 5, 20, 3));
    AtomicInteger held = new AtomicInteger();
    AtomicInteger maxHeld = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  return;
                }
                for (int i = 0; i < 20_000; i++) {
                  if (limits.tryStartRequest()) {
                    maxHeld.accumulateAndGet(held.incrementAndGet(), Math::max);
                    held.decrementAndGet();
                    limits.requestEnded();
                  } else {
                    refused.incrementAndGet();
                  }
                }
              });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertTrue(maxHeld.get() <= 5, "held at once: " + maxHeld.get());
    assertEquals(0, limits.requests());
  }

  @Test
  void theRetryBudgetIsAShareOfRequestsInFlightWithAFloor() {
    ClusterLimits limits = new ClusterLimits(new CircuitBreakers(1024, 1024, 1024, 20, 1));
    for (int i = 0; i < 10; i++) {
      assertTrue(limits.tryStartRequest());
    }
    assertTrue(limits.tryStartRetry());
    assertTrue(limits.tryStartRetry(), "20% of 10 in flight is 2");
    assertFalse(limits.tryStartRetry());
    limits.retryEnded();
    limits.retryEnded();
    for (int i = 0; i < 9; i++) {
      limits.requestEnded();
    }
    assertTrue(limits.tryStartRetry(), "the floor allows one even at 1 request in flight");
    assertFalse(limits.tryStartRetry());
  }

  @Test
  void aZeroFloorAndALowShareRefuseTheRetryOfALoneRequest() {
    ClusterLimits limits = new ClusterLimits(new CircuitBreakers(1024, 1024, 1024, 10, 0));
    assertTrue(limits.tryStartRequest());
    assertFalse(limits.tryStartRetry());
    assertEquals(0, limits.retries());
  }
}
