package io.portcullis.snapshot.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.snapshot.SnapshotCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class CachePolicyTest {
  @Test
  void defaultsAreOmittedFromJsonAndRoundTrip() {
    assertEquals("{\"type\":\"cache\"}", SnapshotCodec.toJsonString(
        (FilterConfig) CachePolicy.defaults()));
    FilterConfig tuned = new CachePolicy(1024, List.of("X-Tenant", "x-tenant", "Accept-Language"));
    String json = SnapshotCodec.toJsonString(tuned);
    assertEquals("{\"type\":\"cache\",\"keyHeaders\":[\"accept-language\",\"x-tenant\"],"
        + "\"maxObjectSize\":1024}", json);
    assertEquals(tuned, SnapshotCodec.fromJson(json, FilterConfig.class));
  }

  @Test
  void invalidValuesAreRefused() {
    assertThrows(IllegalArgumentException.class, () -> new CachePolicy(-1, List.of()));
    assertThrows(IllegalArgumentException.class, () -> new CachePolicy(0, List.of("bad header")));
  }

  @Test
  void defaultObjectLimitApplies() {
    assertEquals(CachePolicy.DEFAULT_MAX_OBJECT_SIZE, CachePolicy.defaults().effectiveMaxObjectSize());
    assertEquals(5, new CachePolicy(5, null).effectiveMaxObjectSize());
  }
}
