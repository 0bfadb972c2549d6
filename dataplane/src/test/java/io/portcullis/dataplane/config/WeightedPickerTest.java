package io.portcullis.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WeightedPickerTest {

  private static Map<String, Integer> count(WeightedPicker<String> picker, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      counts.merge(picker.pick(), 1, Integer::sum);
    }
    return counts;
  }

  @Test
  void aOnePercentCanaryGetsExactlyOneRequestInEveryHundred() {
    WeightedPicker<String> picker = new WeightedPicker<>(List.of("stable", "canary"), new int[] {99, 1});
    for (int window = 0; window < 10; window++) {
      assertEquals(Map.of("stable", 99, "canary", 1), count(picker, 100), "window " + window);
    }
  }

  @Test
  void percentWeightsSplitEveryWindowExactly() {
    WeightedPicker<String> picker =
        new WeightedPicker<>(List.of("a", "b", "c"), new int[] {97, 2, 1});
    for (int window = 0; window < 5; window++) {
      assertEquals(Map.of("a", 97, "b", 2, "c", 1), count(picker, 100));
    }
  }

  @Test
  void theMinorityIsInterleavedNotBunched() {
    WeightedPicker<String> picker = new WeightedPicker<>(List.of("a", "b"), new int[] {90, 10});
    List<Integer> positions = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      if (picker.pick().equals("b")) {
        positions.add(i);
      }
    }
    assertEquals(10, positions.size());
    for (int i = 1; i < positions.size(); i++) {
      assertEquals(10, positions.get(i) - positions.get(i - 1), "evenly spaced: " + positions);
    }
  }

  @Test
  void largeWeightsKeepOnePercentPrecision() {
    WeightedPicker<String> picker =
        new WeightedPicker<>(List.of("stable", "canary"), new int[] {990_000, 10_000});
    Map<String, Integer> counts = count(picker, 100_000);
    assertEquals(1_000, counts.get("canary"));
    assertTrue(counts.get("stable") == 99_000);
  }
}
