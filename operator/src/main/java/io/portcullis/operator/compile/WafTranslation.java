package io.portcullis.operator.compile;

import io.portcullis.operator.crd.FilterSpec;
import io.portcullis.operator.crd.ProxyRouteSpec;
import io.portcullis.snapshot.filter.WafSettings;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code waf} field of ProxyRoutes and the {@code portcullis.io/waf*} Ingress annotations.
 *
 * <p>An Ingress that asks for a WAF with an unusable setting still gets one: the mode falls back
 * to {@code block} and a bad level, threshold or exclusion to the CRS default, each reported as an
 * Event. Failing open (no WAF) on a typo would be the wrong way round for a security control.
 */
final class WafTranslation {
  static final String MODE = "portcullis.io/waf";
  static final String PARANOIA_LEVEL = "portcullis.io/waf-paranoia-level";
  static final String ANOMALY_THRESHOLD = "portcullis.io/waf-anomaly-threshold";
  static final String EXCLUDE_RULES = "portcullis.io/waf-exclude-rules";

  private WafTranslation() {}

  /** The settings of a ProxyRoute's {@code waf} at {@code field}, or null when it has none. */
  static WafSettings of(FilterSpec.Waf waf, String field) throws InvalidInputException {
    if (waf == null) {
      return null;
    }
    WafSettings.Mode mode = waf.mode == null ? WafSettings.Mode.BLOCK : mode(waf.mode, field + ".mode");
    try {
      return new WafSettings(mode, orZero(waf.paranoiaLevel), orZero(waf.anomalyThreshold), waf.excludeRules);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(field + ": " + e.getMessage());
    }
  }

  /**
   * The settings the annotations ask for, or null without {@code portcullis.io/waf} (the other
   * waf annotations alone enable nothing, and are reported).
   */
  static WafSettings of(Map<String, String> annotations, FilterTranslation.Invalid invalid) {
    String modeText = annotations.get(MODE);
    if (modeText == null) {
      for (String other : List.of(PARANOIA_LEVEL, ANOMALY_THRESHOLD, EXCLUDE_RULES)) {
        if (annotations.containsKey(other)) {
          invalid.report(other, annotations.get(other),
              new InvalidInputException("it has no effect without " + MODE + ": block or detect"));
        }
      }
      return null;
    }
    WafSettings.Mode mode = WafSettings.Mode.BLOCK;
    try {
      mode = mode(modeText, MODE);
    } catch (InvalidInputException e) {
      invalid.report(MODE, modeText, new InvalidInputException(e.getMessage() + "; the WAF blocks"));
    }
    int level = number(annotations, PARANOIA_LEVEL, 1, 4, invalid);
    int threshold = number(annotations, ANOMALY_THRESHOLD, 1, 10_000, invalid);
    List<String> exclude = List.of();
    String excludeText = annotations.get(EXCLUDE_RULES);
    if (excludeText != null) {
      try {
        exclude = new WafSettings(mode, 0, 0, Arrays.asList(excludeText.split(","))).excludeRules();
      } catch (IllegalArgumentException e) {
        invalid.report(EXCLUDE_RULES, excludeText, new InvalidInputException(e.getMessage()));
      }
    }
    return new WafSettings(mode, level, threshold, exclude);
  }

  private static WafSettings.Mode mode(String text, String where) throws InvalidInputException {
    return switch (text.trim().toLowerCase(Locale.ROOT)) {
      case "block" -> WafSettings.Mode.BLOCK;
      case "detect" -> WafSettings.Mode.DETECT;
      case "off" -> WafSettings.Mode.OFF;
      default -> throw new InvalidInputException(where + " must be block, detect or off");
    };
  }

  /** The annotation's number within bounds, else 0 (the default) with a report. */
  private static int number(Map<String, String> annotations, String key, int min, int max,
      FilterTranslation.Invalid invalid) {
    String text = annotations.get(key);
    if (text == null) {
      return 0;
    }
    try {
      int v = Integer.parseInt(text.trim());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    invalid.report(key, text, new InvalidInputException("must be a number from " + min + " to " + max));
    return 0;
  }

  private static int orZero(Integer v) {
    return v == null ? 0 : v;
  }
}
