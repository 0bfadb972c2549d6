package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Response compression: the proxy compresses a response body while it streams, in the encoding
 * the client accepts that comes first in {@code algorithms}. Requests are never decompressed.
 *
 * @param algorithms encodings in the server's order of preference: {@code br}, {@code zstd},
 *     {@code gzip}; empty means {@link #DEFAULT_ALGORITHMS}. Lower case, no duplicates; the order
 *     is the preference and is kept.
 * @param minLength responses whose {@code Content-Length} is below this are sent as they are;
 *     0 means {@link #DEFAULT_MIN_LENGTH}. A response without a length is compressed.
 * @param contentTypes media types to compress ({@code text/html}, or {@code text/*} for a whole
 *     type); empty means {@link #DEFAULT_CONTENT_TYPES}. Lower case, sorted, no duplicates.
 * @param gzipLevel 1-9, 0 for the default ({@link #DEFAULT_GZIP_LEVEL})
 * @param brotliLevel quality 1-11, 0 for the default ({@link #DEFAULT_BROTLI_LEVEL})
 * @param zstdLevel 1-22, 0 for the default ({@link #DEFAULT_ZSTD_LEVEL})
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record CompressionPolicy(
    List<String> algorithms,
    int minLength,
    List<String> contentTypes,
    int gzipLevel,
    int brotliLevel,
    int zstdLevel)
    implements FilterConfig {
  public static final String KIND = "compression";
  public static final List<String> ALGORITHMS = List.of("br", "zstd", "gzip");
  /** Brotli compresses text best; zstd is close and cheaper; gzip is what every client has. */
  public static final List<String> DEFAULT_ALGORITHMS = ALGORITHMS;
  /** Below about 1 KiB the saving rarely pays for the encoder's setup and framing. */
  public static final int DEFAULT_MIN_LENGTH = 1024;
  /** Text and the structured text formats that browsers and APIs send most. */
  public static final List<String> DEFAULT_CONTENT_TYPES = List.of(
      "application/javascript", "application/json", "application/manifest+json",
      "application/wasm", "application/xhtml+xml", "application/xml", "image/svg+xml",
      "text/*");
  /*
   * Defaults measured with the dataplane's CompressionLevels (a 100 KiB mixed HTML/JSON text in
   * 16 KiB parts, CPU time per MiB; the README has the table). gzip 5: ratio 8.05 at 12 ms/MiB,
   * level 6 gains 3% for 40% more CPU. brotli 5: ratio 10.8 at 15 ms/MiB against 8.6 at 12 for
   * level 4, and level 6 costs 50% more for under 1%. zstd 3: levels 1-4 are alike here (ratio
   * 8.3-9.2, 4-6 ms/MiB) and 5 doubles the cost, so zstd's own default stays.
   */
  public static final int DEFAULT_GZIP_LEVEL = 5;
  public static final int DEFAULT_BROTLI_LEVEL = 5;
  public static final int DEFAULT_ZSTD_LEVEL = 3;

  private static final Pattern MEDIA_TYPE =
      Pattern.compile("[a-z0-9][-a-z0-9.+]*/(\\*|[a-z0-9][-a-z0-9.+]*)");

  public CompressionPolicy {
    algorithms = algorithms(algorithms);
    contentTypes = contentTypes(contentTypes);
    if (minLength < 0) {
      throw new IllegalArgumentException("compression minLength must not be negative");
    }
    level("gzip", gzipLevel, 9);
    level("brotli", brotliLevel, 11);
    level("zstd", zstdLevel, 22);
  }

  /** Every default. */
  public static CompressionPolicy defaults() {
    return new CompressionPolicy(List.of(), 0, List.of(), 0, 0, 0);
  }

  @Override
  public String kind() {
    return KIND;
  }

  @JsonIgnore
  public List<String> effectiveAlgorithms() {
    return algorithms.isEmpty() ? DEFAULT_ALGORITHMS : algorithms;
  }

  @JsonIgnore
  public List<String> effectiveContentTypes() {
    return contentTypes.isEmpty() ? DEFAULT_CONTENT_TYPES : contentTypes;
  }

  @JsonIgnore
  public int effectiveMinLength() {
    return minLength == 0 ? DEFAULT_MIN_LENGTH : minLength;
  }

  @JsonIgnore
  public int effectiveGzipLevel() {
    return gzipLevel == 0 ? DEFAULT_GZIP_LEVEL : gzipLevel;
  }

  @JsonIgnore
  public int effectiveBrotliLevel() {
    return brotliLevel == 0 ? DEFAULT_BROTLI_LEVEL : brotliLevel;
  }

  @JsonIgnore
  public int effectiveZstdLevel() {
    return zstdLevel == 0 ? DEFAULT_ZSTD_LEVEL : zstdLevel;
  }

  private static void level(String name, int level, int max) {
    if (level < 0 || level > max) {
      throw new IllegalArgumentException(
          "compression " + name + " level must be 1 to " + max + " (0 for the default): " + level);
    }
  }

  private static List<String> algorithms(List<String> values) {
    if (values == null) {
      return List.of();
    }
    List<String> out = new ArrayList<>();
    for (String v : values) {
      String a = v == null ? "" : v.trim().toLowerCase(Locale.ROOT);
      if (!ALGORITHMS.contains(a)) {
        throw new IllegalArgumentException(
            "compression algorithm must be one of " + ALGORITHMS + ": " + v);
      }
      if (!out.contains(a)) {
        out.add(a);
      }
    }
    return List.copyOf(out);
  }

  private static List<String> contentTypes(List<String> values) {
    if (values == null) {
      return List.of();
    }
    List<String> out = values.stream()
        .map(v -> v == null ? "" : v.trim().toLowerCase(Locale.ROOT))
        .distinct()
        .sorted()
        .toList();
    for (String t : out) {
      if (!MEDIA_TYPE.matcher(t).matches()) {
        throw new IllegalArgumentException(
            "compression content type must be type/subtype or type/*: '" + t + "'");
      }
    }
    return out;
  }
}
