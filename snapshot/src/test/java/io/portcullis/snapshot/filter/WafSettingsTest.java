package io.portcullis.snapshot.filter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.snapshot.SnapshotCodec;
import java.util.List;
import org.junit.jupiter.api.Test;

class WafSettingsTest {
  @Test
  void missingFieldsReadAsTheCrsDefaults() throws Exception {
    FilterConfig waf = WafSettings.of(WafSettings.Mode.BLOCK);
    String json = SnapshotCodec.toJsonString(waf);
    assertEquals("{\"type\":\"waf\",\"anomalyThreshold\":5,\"mode\":\"BLOCK\",\"paranoiaLevel\":1}", json);
    assertEquals(waf, SnapshotCodec.fromJson("{\"type\":\"waf\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8), FilterConfig.class));
  }

  @Test
  void roundTripsEverySetting() throws Exception {
    FilterConfig waf = new WafSettings(WafSettings.Mode.DETECT, 2, 10, List.of("942100", " 920000-920999"));
    String json = SnapshotCodec.toJsonString(waf);
    assertEquals(waf, SnapshotCodec.fromJson(json.getBytes(java.nio.charset.StandardCharsets.UTF_8), FilterConfig.class));
    assertEquals(List.of("920000-920999", "942100"), ((WafSettings) waf).excludeRules());
  }

  @Test
  void rejectsWhatCannotRun() {
    assertThrows(IllegalArgumentException.class, () -> new WafSettings(null, 5, 5, null));
    assertThrows(IllegalArgumentException.class, () -> new WafSettings(null, 1, -1, null));
    assertThrows(IllegalArgumentException.class, () -> new WafSettings(null, 1, 5, List.of("abc")));
    assertThrows(IllegalArgumentException.class, () -> new WafSettings(null, 1, 5, List.of("942199-942100")));
  }
}
