package io.portcullis.snapshot.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.snapshot.SnapshotCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompressionPolicyTest {

  @Test
  void defaultsAreOmittedFromJsonAndFilledInOnUse() {
    CompressionPolicy p = CompressionPolicy.defaults();
    assertEquals("{\"type\":\"compression\"}", SnapshotCodec.toJsonString((FilterConfig) p));
    assertEquals(List.of("br", "zstd", "gzip"), p.effectiveAlgorithms());
    assertEquals(CompressionPolicy.DEFAULT_MIN_LENGTH, p.effectiveMinLength());
    assertEquals(p, SnapshotCodec.fromJson("{\"type\":\"compression\"}", FilterConfig.class));
  }

  @Test
  void algorithmOrderIsThePreferenceAndContentTypesAreCanonical() {
    CompressionPolicy p = new CompressionPolicy(List.of("GZIP", "zstd", "gzip"), 10,
        List.of("Text/CSV", "application/json", "text/csv"), 1, 0, 0);
    assertEquals(List.of("gzip", "zstd"), p.algorithms());
    assertEquals(List.of("application/json", "text/csv"), p.contentTypes());
    String json = SnapshotCodec.toJsonString((FilterConfig) p);
    assertEquals(p, SnapshotCodec.fromJson(json, FilterConfig.class));
  }

  @Test
  void badValuesAreRefusedWithTheirName() {
    assertThrows(IllegalArgumentException.class,
        () -> new CompressionPolicy(List.of("deflate"), 0, List.of(), 0, 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new CompressionPolicy(List.of(), -1, List.of(), 0, 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new CompressionPolicy(List.of(), 0, List.of("html"), 0, 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new CompressionPolicy(List.of(), 0, List.of(), 10, 0, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new CompressionPolicy(List.of(), 0, List.of(), 0, 12, 0));
    assertThrows(IllegalArgumentException.class,
        () -> new CompressionPolicy(List.of(), 0, List.of(), 0, 0, 23));
  }
}
