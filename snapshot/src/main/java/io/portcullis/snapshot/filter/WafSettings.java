package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The web application firewall: the OWASP Core Rule Set run over each request (headers and a
 * bounded start of the body) with anomaly scoring.
 *
 * @param mode {@code BLOCK} answers a condemned request 403, {@code DETECT} lets it through and
 *     writes the audit line, {@code OFF} switches a host's WAF off for one route
 * @param paranoiaLevel the CRS paranoia level, 1 (few false positives) to 4 (most rules)
 * @param anomalyThreshold the inbound anomaly score at which a request is condemned (CRS
 *     default 5: one critical rule match)
 * @param excludeRules rule ids or id ranges ({@code 942100}, {@code 920000-920999}) that do not
 *     run here; sorted, no duplicates
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record WafSettings(Mode mode, int paranoiaLevel, int anomalyThreshold, List<String> excludeRules)
    implements FilterConfig {
  public static final String KIND = "waf";
  public static final int DEFAULT_PARANOIA_LEVEL = 1;
  public static final int DEFAULT_ANOMALY_THRESHOLD = 5;
  private static final Pattern RULE_IDS = Pattern.compile("[1-9][0-9]{0,8}(-[1-9][0-9]{0,8})?");

  /** What a condemned request gets. */
  public enum Mode {
    BLOCK,
    DETECT,
    OFF
  }

  public WafSettings {
    mode = mode == null ? Mode.BLOCK : mode;
    // 0 stands for "not given" (JSON omits defaults); anything else is checked.
    paranoiaLevel = paranoiaLevel == 0 ? DEFAULT_PARANOIA_LEVEL : paranoiaLevel;
    anomalyThreshold = anomalyThreshold == 0 ? DEFAULT_ANOMALY_THRESHOLD : anomalyThreshold;
    if (paranoiaLevel < 1 || paranoiaLevel > 4) {
      throw new IllegalArgumentException("waf paranoia level must be 1 to 4: " + paranoiaLevel);
    }
    if (anomalyThreshold < 1 || anomalyThreshold > 10_000) {
      throw new IllegalArgumentException("waf anomaly threshold must be 1 to 10000: " + anomalyThreshold);
    }
    excludeRules = excludeRules == null ? List.of()
        : excludeRules.stream().map(String::trim).filter(s -> !s.isEmpty()).distinct().sorted().toList();
    for (String ids : excludeRules) {
      if (!RULE_IDS.matcher(ids).matches()) {
        throw new IllegalArgumentException("waf excluded rule must be an id or a range like 942100-942199: " + ids);
      }
      int dash = ids.indexOf('-');
      if (dash > 0 && Long.parseLong(ids.substring(dash + 1)) < Long.parseLong(ids.substring(0, dash))) {
        throw new IllegalArgumentException("waf excluded rule range ends before it starts: " + ids);
      }
    }
  }

  /** CRS defaults in the given mode. */
  public static WafSettings of(Mode mode) {
    return new WafSettings(mode, DEFAULT_PARANOIA_LEVEL, DEFAULT_ANOMALY_THRESHOLD, List.of());
  }

  @Override
  public String kind() {
    return KIND;
  }
}
