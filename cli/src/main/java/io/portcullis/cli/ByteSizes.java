package io.portcullis.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Byte sizes written the Kubernetes way: a whole number with an optional binary ({@code Ki},
 * {@code Mi}, {@code Gi}) or decimal ({@code k}, {@code M}, {@code G}) suffix, e.g. {@code 256Mi}.
 * Shared by the dataplane's {@code --cache-size} flag and the ProxyRoute cache fields.
 */
public final class ByteSizes {
  private static final Pattern SIZE = Pattern.compile("([0-9]{1,15})(Ki|Mi|Gi|k|M|G)?");

  private ByteSizes() {}

  /**
   * @throws IllegalArgumentException with a short reason when {@code text} is not a size
   */
  public static long parse(String text) {
    Matcher m = SIZE.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "expected a byte count with an optional suffix Ki, Mi, Gi, k, M or G (e.g. 256Mi)");
    }
    long n = Long.parseLong(m.group(1));
    long unit = switch (m.group(2) == null ? "" : m.group(2)) {
      case "Ki" -> 1L << 10;
      case "Mi" -> 1L << 20;
      case "Gi" -> 1L << 30;
      case "k" -> 1_000L;
      case "M" -> 1_000_000L;
      case "G" -> 1_000_000_000L;
      default -> 1L;
    };
    if (n > Long.MAX_VALUE / unit) {
      throw new IllegalArgumentException("size too large");
    }
    return n * unit;
  }
}
