package io.portcullis.snapshot.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.snapshot.SnapshotCodec;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The bodyLimit and concurrencyLimit kinds: wire form and validation. */
class LimitsTest {

  @Test
  @DisplayName("both kinds round-trip with their type names; defaults are omitted")
  void wireForm() {
    List<FilterConfig> filters = List.of(new BodyLimit(0), new ConcurrencyLimit(3),
        new ConcurrencyLimit(2, "ingress/default/shop"));
    assertEquals("{\"type\":\"bodyLimit\"}", SnapshotCodec.toJsonString(filters.get(0)));
    assertEquals("{\"type\":\"concurrencyLimit\",\"perClient\":3}",
        SnapshotCodec.toJsonString(filters.get(1)));
    for (FilterConfig f : filters) {
      assertEquals(f, SnapshotCodec.fromJson(SnapshotCodec.toJsonString(f), FilterConfig.class));
    }
    assertEquals(new BodyLimit(1024),
        SnapshotCodec.fromJson("{\"type\":\"bodyLimit\",\"maxBytes\":1024}", FilterConfig.class));
  }

  @Test
  @DisplayName("negative sizes, limits below one and blank groups are refused")
  void validation() {
    assertThrows(IllegalArgumentException.class, () -> new BodyLimit(-1));
    assertThrows(IllegalArgumentException.class, () -> new ConcurrencyLimit(0));
    assertThrows(IllegalArgumentException.class, () -> new ConcurrencyLimit(1, " "));
  }
}
