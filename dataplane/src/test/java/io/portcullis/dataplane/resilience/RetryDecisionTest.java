package io.portcullis.dataplane.resilience;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.resilience.RetryDecision.Condition;
import io.portcullis.snapshot.RetryPolicy;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RetryDecisionTest {
  private static final RetryPolicy ALL =
      new RetryPolicy(2, List.copyOf(RetryPolicy.CONDITIONS), false, 0, 10, 100);

  @ParameterizedTest(name = "{0} after {1}: {2}")
  @CsvSource({
    "GET, RESET, true",
    "PUT, STATUS_503, true",
    "POST, RESET, false",
    "POST, TIMEOUT, false",
    "PATCH, STATUS_502, false",
    "POST, CONNECT_FAILURE, true",
  })
  void onlyIdempotentMethodsAreRetriedUnlessNothingWasSent(String method, Condition c, boolean allowed) {
    assertEquals(allowed, RetryDecision.allows(ALL, c, 0, method));
  }

  @Test
  void aRouteThatOptsInRetriesAPost() {
    RetryPolicy nonIdempotent = new RetryPolicy(1, List.of("reset"), true, 0, 10, 100);
    assertTrue(RetryDecision.allows(nonIdempotent, Condition.RESET, 0, "POST"));
  }

  @Test
  void conditionsTheRouteDoesNotNameAndSpentAttemptsAreNotRetried() {
    RetryPolicy resetOnly = new RetryPolicy(1, List.of("reset"), false, 0, 10, 100);
    assertEquals(false, RetryDecision.allows(resetOnly, Condition.STATUS_503, 0, "GET"));
    assertEquals(false, RetryDecision.allows(resetOnly, Condition.RESET, 1, "GET"));
  }

  @Test
  void backOffIsFullJitterUnderADoublingCappedCeiling() {
    for (int i = 0; i < 1000; i++) {
      long first = RetryDecision.backoffMillis(ALL, 1);
      long third = RetryDecision.backoffMillis(ALL, 3);
      long tenth = RetryDecision.backoffMillis(ALL, 10);
      assertTrue(first >= 0 && first <= 10, "first " + first);
      assertTrue(third >= 0 && third <= 40, "third " + third);
      assertTrue(tenth >= 0 && tenth <= 100, "capped " + tenth);
    }
  }
}
