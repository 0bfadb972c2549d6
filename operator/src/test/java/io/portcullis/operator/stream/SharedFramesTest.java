package io.portcullis.operator.stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.portcullis.snapshot.Snapshot;
import org.junit.jupiter.api.Test;

class SharedFramesTest {
  private final SharedFrames frames = new SharedFrames();

  @Test
  void dataplanesNeedingTheSameMessageShareOneEncodingUntilTheLastAnswer() {
    Snapshot v1 = Snapshots.shop(8080);
    SharedFrames.Use first = frames.snapshot(v1);
    SharedFrames.Use second = frames.snapshot(v1);
    assertSame(first.frame(), second.frame());

    frames.release(first);
    assertEquals(1, frames.size(), "the second dataplane's message is still in flight");
    frames.release(second);
    assertEquals(0, frames.size(), "nothing is kept between pushes");
    assertNotSame(first.frame(), frames.snapshot(v1).frame(), "encoded again for a later push");
  }

  @Test
  void aDeltaIsSharedOnlyByDataplanesAtTheSameBase() {
    Snapshot v1 = Snapshots.shop(8080);
    Snapshot v2 = Snapshots.shop(8080, 8081);
    Snapshot v3 = Snapshots.shopAndApi(8080);
    SharedFrames.Use fromV1 = frames.delta(v1, v3);
    SharedFrames.Use alsoFromV1 = frames.delta(v1, v3);
    SharedFrames.Use fromV2 = frames.delta(v2, v3);
    assertSame(fromV1.frame(), alsoFromV1.frame());
    assertNotSame(fromV1.frame(), fromV2.frame());
    assertEquals(v3.version(), fromV2.frame().version());
    frames.release(fromV1);
    assertEquals(2, frames.size());
    frames.release(alsoFromV1);
    assertEquals(1, frames.size());
  }
}
