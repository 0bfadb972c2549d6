package io.portcullis.dataplane.filters.waf;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.portcullis.snapshot.filter.WafSettings;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class WafFilterCreateTest {
  private final WafRuntime missing = new WafRuntime(Path.of("/nonexistent/crs"), new PrometheusRegistry());

  @Test
  void aWafWithoutRulesIsRejectedSoTheSnapshotIsNacked() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WafFilter.create(WafSettings.of(WafSettings.Mode.BLOCK), missing));
    assertTrue(e.getMessage().contains("/nonexistent/crs") && e.getMessage().contains("--waf-rules"), e.getMessage());
  }

  @Test
  void modeOffNeedsNoRules() {
    WafFilter.create(WafSettings.of(WafSettings.Mode.OFF), missing);
  }
}
