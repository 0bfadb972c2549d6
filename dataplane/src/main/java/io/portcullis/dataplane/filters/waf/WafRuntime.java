package io.portcullis.dataplane.filters.waf;

import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.portcullis.waf.WafRules;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every WAF filter of the process shares: the compiled rule set (loaded once, on the first
 * snapshot that asks for a WAF, from {@code --waf-rules}) and the metrics. Snapshot swaps rebuild
 * the cheap per-route filters and keep this.
 */
public final class WafRuntime {
  private static final Logger log = LoggerFactory.getLogger(WafRuntime.class);
  /** Debian's modsecurity-crs package. */
  public static final Path DEFAULT_RULES = Path.of("/usr/share/modsecurity-crs");

  private static volatile WafRuntime shared = new WafRuntime(DEFAULT_RULES, new PrometheusRegistry());

  private final Path rulesDir;
  private final WafMetrics metrics;
  private volatile WafRules rules;

  public WafRuntime(Path rulesDir, PrometheusRegistry registry) {
    this.rulesDir = rulesDir;
    this.metrics = new WafMetrics(registry);
  }

  /** Set once at start by the dataplane (its flag and its metrics registry). */
  public static void configure(Path rulesDir, PrometheusRegistry registry) {
    shared = new WafRuntime(rulesDir, registry);
  }

  public static WafRuntime shared() {
    return shared;
  }

  WafMetrics metrics() {
    return metrics;
  }

  /**
   * The rule set, loaded on first use (about two seconds for CRS).
   *
   * @throws IllegalArgumentException when the rules cannot be loaded: the snapshot asking for a
   *     WAF is then rejected with this message, and the previous config stays
   */
  WafRules rules() {
    WafRules r = rules;
    if (r != null) {
      return r;
    }
    synchronized (this) {
      if (rules == null) {
        if (!Files.isDirectory(rulesDir)) {
          throw new IllegalArgumentException("waf: rules directory " + rulesDir
              + " does not exist (install modsecurity-crs or set --waf-rules)");
        }
        try {
          long start = System.nanoTime();
          WafRules loaded = WafRules.loadCrs(rulesDir);
          WafRules.LoadReport report = loaded.report();
          log.info("waf: loaded {} request rules from {} in {} ms ({} response rules not run)",
              report.requestRules(), rulesDir, (System.nanoTime() - start) / 1_000_000, report.responseRules());
          report.rejected().forEach((id, why) -> log.warn("waf: rule {} left out: {}", id, why));
          report.warnings().forEach(w -> log.info("waf: {}", w));
          rules = loaded;
        } catch (RuntimeException e) {
          throw new IllegalArgumentException("waf: cannot load rules from " + rulesDir + ": " + e.getMessage(), e);
        }
      }
      return rules;
    }
  }
}
