package io.portcullis.dataplane.filters.compression;

import java.util.List;
import java.util.Locale;

/**
 * Content negotiation on {@code Accept-Encoding} (RFC 9110 section 12.5.3): the coding with the
 * client's highest quality wins, and among equal qualities the server's preference decides. A
 * quality of 0 refuses a coding; {@code *} stands for every coding the header does not name.
 */
public final class AcceptEncoding {
  private AcceptEncoding() {}

  /**
   * The coding to send, or null to send the body as it is.
   *
   * @param header the request's {@code Accept-Encoding} values joined by commas, or null
   * @param preference the codings the route allows, most preferred first
   */
  static ContentCoding choose(String header, List<ContentCoding> preference) {
    if (header == null || header.isBlank()) {
      return null;
    }
    ContentCoding best = null;
    int bestQ = 0;
    for (ContentCoding coding : preference) {
      int q = quality(header, coding.token());
      if (q > bestQ) {
        best = coding;
        bestQ = q;
      }
    }
    return best;
  }

  /** The quality (0-1000) the header gives {@code token}, directly or through {@code *}. */
  public static int quality(String header, String token) {
    int wildcard = 0;
    for (String element : header.split(",")) {
      String[] parts = element.split(";");
      String name = parts[0].trim().toLowerCase(Locale.ROOT);
      if (name.isEmpty()) {
        continue;
      }
      int q = 1000;
      for (int i = 1; i < parts.length; i++) {
        String param = parts[i].trim();
        if (param.length() > 2 && (param.charAt(0) == 'q' || param.charAt(0) == 'Q')
            && param.charAt(1) == '=') {
          q = parseQ(param.substring(2).trim());
        }
      }
      if (name.equals(token) || (token.equals("gzip") && name.equals("x-gzip"))) {
        return q;
      }
      if (name.equals("*")) {
        wildcard = q;
      }
    }
    return wildcard;
  }

  /** A qvalue ({@code 0}, {@code 0.5}, {@code 1.000}) in thousandths; malformed counts as 0. */
  static int parseQ(String value) {
    if (value.isEmpty() || value.length() > 5) {
      return 0;
    }
    char first = value.charAt(0);
    if (first != '0' && first != '1') {
      return 0;
    }
    int q = (first - '0') * 1000;
    if (value.length() > 1) {
      if (value.charAt(1) != '.') {
        return 0;
      }
      int scale = 100;
      for (int i = 2; i < value.length(); i++) {
        char c = value.charAt(i);
        if (c < '0' || c > '9') {
          return 0;
        }
        q += (c - '0') * scale;
        scale /= 10;
      }
    }
    return Math.min(q, 1000);
  }
}
