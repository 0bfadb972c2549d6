package io.portcullis.operator.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.portcullis.operator.compile.ObjectRef;
import io.portcullis.operator.compile.ObjectStatus;
import io.portcullis.operator.status.EventCorrelator.EventWrite;
import io.portcullis.operator.status.EventCorrelator.Occurrence;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventCorrelatorTest {
  private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  private static final ObjectStatus.Event NO_ENDPOINTS =
      new ObjectStatus.Event(true, "NoReadyEndpoints", "Service shop/web port 80 has no ready endpoints");

  private static Occurrence on(String name, ObjectStatus.Event event) {
    return new Occurrence(new ObjectRef("Ingress", "shop", name, 1, "uid-" + name), event);
  }

  private static List<Occurrence> fanOut(int objects) {
    List<Occurrence> out = new ArrayList<>();
    for (int i = 0; i < objects; i++) {
      out.add(on("ing-" + i, NO_ENDPOINTS));
    }
    return out;
  }

  @Test
  void theSameEventOnTheSameObjectAlwaysHasTheSameName() {
    String first = new EventCorrelator(EventCorrelator.Settings.DEFAULT)
        .correlate(List.of(on("a", NO_ENDPOINTS)), T0).get(0).name();
    String again = new EventCorrelator(EventCorrelator.Settings.DEFAULT)
        .correlate(List.of(on("a", NO_ENDPOINTS)), T0.plusSeconds(60)).get(0).name();
    assertEquals(first, again, "a new leader finds the Event the old one wrote");
    String other = new EventCorrelator(EventCorrelator.Settings.DEFAULT)
        .correlate(List.of(on("a", new ObjectStatus.Event(true, "NoReadyEndpoints", "other"))), T0).get(0).name();
    assertNotEquals(first, other);
    assertTrue(first.startsWith("a."));
  }

  @Test
  void oneCauseOnManyObjectsIsTheThresholdsWorthOfEventsAndOneCombined() {
    List<EventWrite> writes = new EventCorrelator(EventCorrelator.Settings.DEFAULT).correlate(fanOut(200), T0);
    assertEquals(11, writes.size());
    EventWrite combined = writes.get(10);
    assertEquals(190, combined.count());
    assertEquals(EventCorrelator.COMBINED_PREFIX + NO_ENDPOINTS.message(), combined.message());
    assertEquals("ing-10", combined.involved().name());
    assertTrue(writes.subList(0, 10).stream().allMatch(w -> w.count() == 1));
  }

  @Test
  void objectsThatHadTheirOwnEventKeepItAndTheWindowStartsAfresh() {
    EventCorrelator correlator = new EventCorrelator(EventCorrelator.Settings.DEFAULT);
    correlator.correlate(fanOut(20), T0);
    List<EventWrite> again = correlator.correlate(List.of(on("ing-3", NO_ENDPOINTS), on("ing-15", NO_ENDPOINTS)),
        T0.plusSeconds(60));
    assertEquals(List.of(1, 1), again.stream().map(EventWrite::count).toList());
    assertTrue(again.get(0).name().startsWith("ing-3."));
    assertTrue(again.get(1).message().startsWith(EventCorrelator.COMBINED_PREFIX));
    // After the window, the next objects get their own Events again.
    List<EventWrite> later = correlator.correlate(List.of(on("ing-15", NO_ENDPOINTS)), T0.plus(Duration.ofMinutes(11)));
    assertTrue(later.get(0).name().startsWith("ing-15."));
  }

  @Test
  void anObjectThatFlapsIsRateLimitedLikeClientGo() {
    EventCorrelator correlator = new EventCorrelator(EventCorrelator.Settings.DEFAULT);
    int written = 0;
    for (int i = 0; i < 100; i++) {
      written += correlator.correlate(List.of(on("flappy", NO_ENDPOINTS)), T0.plusMillis(i)).size();
    }
    assertEquals(25, written, "the burst, then nothing within the same second");
    assertEquals(75, correlator.dropped());
    // One token comes back every five minutes.
    assertEquals(1, correlator.correlate(List.of(on("flappy", NO_ENDPOINTS)), T0.plus(Duration.ofMinutes(5)).plusSeconds(1)).size());
    assertEquals(0, correlator.correlate(List.of(on("flappy", NO_ENDPOINTS)), T0.plus(Duration.ofMinutes(6))).size());
  }
}
