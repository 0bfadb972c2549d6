package io.portcullis.dataplane.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.dataplane.lb.UpstreamEndpoint;
import io.portcullis.snapshot.ClusterPolicy.OutlierDetection;
import io.portcullis.snapshot.Endpoint;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ejection rules, on a clock the test moves. */
class OutlierDetectorTest {
  private long now = 1_000_000_000L;
  private final List<UpstreamEndpoint> endpoints = new ArrayList<>();

  private OutlierDetector detector(OutlierDetection policy, int endpointCount) {
    for (int i = 0; i < endpointCount; i++) {
      endpoints.add(new UpstreamEndpoint(new Endpoint("10.0.0." + (i + 1), 80), now));
    }
    return new OutlierDetector(policy, () -> endpoints, () -> now);
  }

  private static OutlierDetection gateway(int threshold) {
    return new OutlierDetection(0, threshold, 1_000, 2_500, 100);
  }

  private void advanceMillis(long millis) {
    now += TimeUnit.MILLISECONDS.toNanos(millis);
  }

  @Test
  void threeConnectFailuresInARowEjectForTheBaseTime() {
    OutlierDetector d = detector(gateway(3), 2);
    UpstreamEndpoint e = endpoints.get(0);
    d.reportFailure(e, Failure.CONNECT_FAILURE);
    d.reportFailure(e, Failure.RESET);
    assertFalse(e.ejected(now));
    d.reportFailure(e, Failure.TIMEOUT);
    assertTrue(e.ejected(now));
    assertEquals(1, e.ejections());
    advanceMillis(999);
    assertTrue(e.ejected(now));
    advanceMillis(1);
    assertFalse(e.ejected(now), "back after the base ejection time");
    assertTrue(e.available(now));
  }

  @Test
  void aSuccessBreaksTheStreak() {
    OutlierDetector d = detector(gateway(3), 2);
    UpstreamEndpoint e = endpoints.get(0);
    d.reportFailure(e, Failure.http(503));
    d.reportFailure(e, Failure.http(502));
    d.reportResponse(e, 404);
    d.reportFailure(e, Failure.http(504));
    d.reportFailure(e, Failure.CONNECT_FAILURE);
    assertFalse(e.ejected(now));
    d.reportFailure(e, Failure.CONNECT_FAILURE);
    assertTrue(e.ejected(now));
  }

  @Test
  void a500BreaksTheGatewayStreakButCountsAsA5xx() {
    OutlierDetector gatewayOnly = detector(gateway(2), 2);
    UpstreamEndpoint e = endpoints.get(0);
    gatewayOnly.reportFailure(e, Failure.http(503));
    gatewayOnly.reportResponse(e, 500);
    gatewayOnly.reportFailure(e, Failure.http(503));
    assertFalse(e.ejected(now), "the application's own 500 is not a gateway failure");

    OutlierDetector any5xx =
        new OutlierDetector(new OutlierDetection(3, 0, 1_000, 2_000, 100), () -> endpoints, () -> now);
    UpstreamEndpoint other = endpoints.get(1);
    any5xx.reportResponse(other, 500);
    any5xx.reportFailure(other, Failure.CONNECT_FAILURE);
    any5xx.reportResponse(other, 501);
    assertTrue(other.ejected(now), "every failure counts toward consecutive5xx");
  }

  @Test
  void eachEjectionLastsLongerUpToTheMaximum() {
    OutlierDetector d = detector(gateway(1), 2);
    UpstreamEndpoint e = endpoints.get(0);
    long[] expectedMillis = {1_000, 2_000, 2_500, 2_500};
    for (long millis : expectedMillis) {
      d.reportFailure(e, Failure.CONNECT_FAILURE);
      assertTrue(e.ejected(now));
      advanceMillis(millis - 1);
      assertTrue(e.ejected(now), "ejected for " + millis + " ms");
      advanceMillis(1);
      assertFalse(e.ejected(now), "only for " + millis + " ms");
    }
    assertEquals(4, e.ejections());
  }

  @Test
  void timeBackInServiceShrinksTheNextEjection() {
    OutlierDetector d = detector(new OutlierDetection(0, 1, 1_000, 10_000, 100), 2);
    UpstreamEndpoint e = endpoints.get(0);
    d.reportFailure(e, Failure.CONNECT_FAILURE); // 1 s
    advanceMillis(1_000);
    d.reportFailure(e, Failure.CONNECT_FAILURE); // 2 s
    advanceMillis(2_000);
    d.reportFailure(e, Failure.CONNECT_FAILURE); // 3 s
    advanceMillis(3_000);

    advanceMillis(2_000); // two bases in service: the multiplier drops from 3 to 1
    d.reportFailure(e, Failure.CONNECT_FAILURE);
    advanceMillis(1_999);
    assertTrue(e.ejected(now));
    advanceMillis(1);
    assertFalse(e.ejected(now), "ejected for 2 s, not 4 s");

    advanceMillis(60_000); // long in service: back to the base
    d.reportFailure(e, Failure.CONNECT_FAILURE);
    advanceMillis(1_000);
    assertFalse(e.ejected(now), "ejected for the base time again");
    assertEquals(5, e.ejections(), "the metric still counts every ejection");
  }

  @Test
  void neverMoreThanTheMaxEjectionPercentAtOnce() {
    OutlierDetector d =
        detector(new OutlierDetection(0, 1, 1_000, 1_000, 50), 4);
    for (UpstreamEndpoint e : endpoints) {
      d.reportFailure(e, Failure.CONNECT_FAILURE);
    }
    assertEquals(2, endpoints.stream().filter(e -> e.ejected(now)).count(), "2 of 4 is 50%");
    assertFalse(endpoints.get(2).ejected(now));

    advanceMillis(1_000);
    d.reportFailure(endpoints.get(2), Failure.CONNECT_FAILURE);
    assertTrue(endpoints.get(2).ejected(now), "ejected as soon as there is room");
  }

  @Test
  void aLoneEndpointIsNotEjectedUnderTheDefaultCap() {
    OutlierDetector d = detector(OutlierDetection.DEFAULT, 1);
    UpstreamEndpoint e = endpoints.get(0);
    for (int i = 0; i < 10; i++) {
      d.reportFailure(e, Failure.CONNECT_FAILURE);
    }
    assertFalse(e.ejected(now), "1 of 1 is more than 50%");
  }

  @Test
  void ejectionRestartsTheStreak() {
    OutlierDetector d = detector(gateway(2), 2);
    UpstreamEndpoint e = endpoints.get(0);
    d.reportFailure(e, Failure.RESET);
    d.reportFailure(e, Failure.RESET);
    advanceMillis(1_000);
    assertFalse(e.ejected(now));
    d.reportFailure(e, Failure.RESET);
    assertFalse(e.ejected(now), "one failure after coming back is not a streak of two");
    d.reportFailure(e, Failure.RESET);
    assertTrue(e.ejected(now));
  }

  @Test
  void zeroThresholdsDisableDetection() {
    OutlierDetector d =
        detector(new OutlierDetection(0, 0, 1_000, 1_000, 100), 2);
    UpstreamEndpoint e = endpoints.get(0);
    for (int i = 0; i < 100; i++) {
      d.reportFailure(e, Failure.CONNECT_FAILURE);
    }
    assertFalse(e.ejected(now));
    assertEquals(100, d.failures());
    assertEquals(100, d.requests());
  }

  @Test
  void aStatusThatIsNot5xxIsNotAnHttpFailure() {
    assertThrows(IllegalArgumentException.class, () -> Failure.http(404));
    assertThrows(IllegalArgumentException.class, () -> new Failure(Failure.Kind.RESET, 503));
  }
}
