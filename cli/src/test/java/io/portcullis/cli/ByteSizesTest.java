package io.portcullis.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ByteSizesTest {
  @Test
  void byteSizesReadKubernetesSuffixes() {
    assertEquals(256L << 20, ByteSizes.parse("256Mi"));
    assertEquals(2_000, ByteSizes.parse("2k"));
    assertEquals(17, ByteSizes.parse("17"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("1.5Gi"));
    assertThrows(IllegalArgumentException.class, () -> ByteSizes.parse("999999999999999Gi"));
  }
}
