package io.portcullis.dataplane.filters.compression;

import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A set of media types ({@code text/html}) and whole types ({@code text/*}) to match against. */
final class MediaTypes {
  private final Set<String> exact = new HashSet<>();
  private final Set<String> wholeTypes = new HashSet<>();

  MediaTypes(List<String> patterns) {
    for (String p : patterns) {
      if (p.endsWith("/*")) {
        wholeTypes.add(p.substring(0, p.length() - 2));
      } else {
        exact.add(p);
      }
    }
  }

  /**
   * Whether a {@code Content-Type} value is listed; its parameters ({@code charset}) are ignored.
   * A response without a type is not: compressing what we cannot name may be compressing a JPEG.
   */
  boolean matches(String contentType) {
    if (contentType == null) {
      return false;
    }
    int semi = contentType.indexOf(';');
    String type = (semi < 0 ? contentType : contentType.substring(0, semi))
        .trim().toLowerCase(Locale.ROOT);
    int slash = type.indexOf('/');
    if (slash <= 0) {
      return false;
    }
    return exact.contains(type) || wholeTypes.contains(type.substring(0, slash));
  }
}
