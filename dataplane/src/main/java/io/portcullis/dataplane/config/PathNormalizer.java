package io.portcullis.dataplane.config;

/**
 * RFC 3986 normalization of a request path before routing: percent-encoded unreserved characters
 * are decoded and dot segments removed. Routing and forwarding use the same normalized path, so
 * {@code /public/../admin} can neither dodge a route nor reach a backend as something the router
 * did not see. Other percent-encodings ({@code %2F} among them) are kept as sent.
 */
final class PathNormalizer {
  private PathNormalizer() {}

  static String normalize(String path) {
    if (path == null || path.isEmpty()) {
      return "/";
    }
    String decoded = path.indexOf('%') >= 0 ? decodeUnreserved(path) : path;
    if (decoded.indexOf("/.") < 0) {
      return decoded.charAt(0) == '/' ? decoded : "/" + decoded;
    }
    return removeDotSegments(decoded);
  }

  private static String decodeUnreserved(String path) {
    StringBuilder out = new StringBuilder(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%' && i + 2 < path.length()) {
        int hi = Character.digit(path.charAt(i + 1), 16);
        int lo = Character.digit(path.charAt(i + 2), 16);
        if (hi >= 0 && lo >= 0) {
          char decoded = (char) (hi << 4 | lo);
          if (isUnreserved(decoded)) {
            out.append(decoded);
            i += 2;
            continue;
          }
          // Keep other escapes, but in upper case so equal paths compare equal.
          out.append('%')
              .append(Character.toUpperCase(path.charAt(i + 1)))
              .append(Character.toUpperCase(path.charAt(i + 2)));
          i += 2;
          continue;
        }
      }
      out.append(c);
    }
    return out.toString();
  }

  private static boolean isUnreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  /** RFC 3986 section 5.2.4, on segments; never climbs above the root. */
  private static String removeDotSegments(String path) {
    String[] segments = path.split("/", -1);
    java.util.ArrayDeque<String> out = new java.util.ArrayDeque<>();
    for (int i = 1; i < segments.length; i++) {
      String s = segments[i];
      boolean last = i == segments.length - 1;
      if (s.equals(".")) {
        if (last) {
          out.addLast("");
        }
      } else if (s.equals("..")) {
        out.pollLast();
        if (last) {
          out.addLast("");
        }
      } else {
        out.addLast(s);
      }
    }
    StringBuilder result = new StringBuilder(path.length());
    for (String s : out) {
      result.append('/').append(s);
    }
    return result.length() == 0 ? "/" : result.toString();
  }
}
