package io.portcullis.waf;

import io.portcullis.waf.model.RuleIds;
import java.util.List;
import java.util.Objects;

/**
 * How one route runs the rules: mode, the CRS paranoia level (1-4), the inbound anomaly score at
 * which a request is condemned, and rule ids (or ranges {@code 942100-942199}) switched off.
 */
public record WafPolicy(WafMode mode, int paranoiaLevel, int anomalyThreshold, RuleIds excluded) {
  public WafPolicy {
    Objects.requireNonNull(mode, "mode");
    if (paranoiaLevel < 1 || paranoiaLevel > 4) {
      throw new IllegalArgumentException("paranoia level must be 1-4: " + paranoiaLevel);
    }
    if (anomalyThreshold < 1) {
      throw new IllegalArgumentException("anomaly threshold must be at least 1: " + anomalyThreshold);
    }
    excluded = excluded == null ? RuleIds.NONE : excluded;
  }

  /** CRS defaults: paranoia level 1, threshold 5 (one critical match). */
  public static WafPolicy defaults(WafMode mode) {
    return new WafPolicy(mode, 1, 5, RuleIds.NONE);
  }

  public static WafPolicy of(WafMode mode, int paranoiaLevel, int anomalyThreshold, List<String> exclude) {
    return new WafPolicy(mode, paranoiaLevel, anomalyThreshold, RuleIds.parse(exclude));
  }
}
