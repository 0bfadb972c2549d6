package io.portcullis.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every version of a LayeredMap holds what a plain map given the same changes holds. */
class LayeredMapTest {
  @Test
  @DisplayName("random puts and removals across many flattenings agree with a HashMap, and older versions stay as they were")
  void agreesWithHashMap() {
    Random random = new Random(18);
    Map<Integer, String> expected = new HashMap<>();
    LayeredMap<Integer, String> map = LayeredMap.empty();
    for (int round = 0; round < 2_000; round++) {
      LayeredMap<Integer, String> before = map;
      Map<Integer, String> expectedBefore = new HashMap<>(expected);
      LayeredMap.Editor<Integer, String> edit = map.edit();
      for (int change = random.nextInt(4); change >= 0; change--) {
        int key = random.nextInt(500);
        if (random.nextInt(3) == 0) {
          edit.remove(key);
          expected.remove(key);
        } else {
          String value = "v" + round + "-" + key;
          edit.put(key, value);
          expected.put(key, value);
        }
      }
      map = edit.build();
      assertEquals(expected.size(), map.size());
      for (int key = 0; key < 500; key++) {
        assertEquals(expected.get(key), map.get(key), "key " + key + " in round " + round);
        assertEquals(expectedBefore.get(key), before.get(key), "older version, key " + key);
      }
      Map<Integer, String> walked = new HashMap<>();
      map.forEach(walked::put);
      assertEquals(expected, walked);
    }
  }

  @Test
  @DisplayName("an edit that changes nothing gives the same map back")
  void noChange() {
    LayeredMap<String, String> map = LayeredMap.copyOf(Map.of("a", "1"));
    assertSame(map, map.edit().build());
    assertSame(map, map.edit().remove("missing").build());
  }
}
