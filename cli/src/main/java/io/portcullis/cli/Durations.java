package io.portcullis.cli;

import java.time.Duration;

/** Parses durations the way Kubernetes users write them: {@code 500ms}, {@code 15s}, {@code 2m}, {@code 1h}. */
public final class Durations {
  private Durations() {}

  /**
   * @throws IllegalArgumentException for anything but a non-negative integer with a unit
   */
  public static Duration parse(String text) {
    if (text == null || !text.matches("\\d{1,9}(ms|s|m|h)")) {
      throw new IllegalArgumentException("expected a duration like 500ms, 15s, 2m or 1h");
    }
    String unit = text.replaceAll("\\d", "");
    long amount = Long.parseLong(text.substring(0, text.length() - unit.length()));
    return switch (unit) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      default -> Duration.ofHours(amount);
    };
  }
}
