package io.portcullis.dataplane.filters.staticcontent;

import io.portcullis.snapshot.PathMatch;
import java.io.ByteArrayOutputStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * The file a request path names inside a site: percent-decoded (UTF-8), dot segments resolved,
 * the route's prefix removed. Null for a path that cannot name a file of the site: one that
 * climbs above the root, or holds a NUL, a backslash, or an encoding that is not UTF-8.
 */
final class SitePath {
  private SitePath() {}

  /**
   * The site-relative path without a leading slash; empty for the site's root, ending with
   * {@code /} when the request names a directory.
   */
  static String relative(String requestPath, PathMatch match) {
    String decoded = decode(requestPath);
    if (decoded == null || decoded.indexOf('\0') >= 0 || decoded.indexOf('\\') >= 0) {
      return null;
    }
    String path = removeDotSegments(decoded);
    if (path == null) {
      return null;
    }
    if (match instanceof PathMatch.Prefix prefix && !prefix.value().equals("/")) {
      String p = prefix.value();
      if (!path.startsWith(p) || (path.length() > p.length() && path.charAt(p.length()) != '/')) {
        return null;
      }
      path = path.substring(p.length());
    }
    return path.startsWith("/") ? path.substring(1) : path;
  }

  private static String decode(String path) {
    if (path.indexOf('%') < 0) {
      return path;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(path.length());
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      if (c == '%') {
        if (i + 2 >= path.length()) {
          return null;
        }
        int hi = Character.digit(path.charAt(i + 1), 16);
        int lo = Character.digit(path.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        bytes.write(hi << 4 | lo);
        i += 2;
      } else if (c < 0x80) {
        bytes.write(c);
      } else {
        byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
        bytes.write(b, 0, b.length);
      }
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray()))
          .toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** RFC 3986 section 5.2.4 on an absolute path; null when {@code ..} climbs above the root. */
  private static String removeDotSegments(String path) {
    if (!path.startsWith("/")) {
      path = "/" + path;
    }
    if (!path.contains("/.") && !path.contains("//")) {
      return path;
    }
    boolean directory = path.endsWith("/") || path.endsWith("/.") || path.endsWith("/..");
    Deque<String> segments = new ArrayDeque<>();
    for (String segment : path.split("/")) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (segments.isEmpty()) {
          return null;
        }
        segments.removeLast();
      } else {
        segments.addLast(segment);
      }
    }
    StringBuilder out = new StringBuilder();
    for (String s : segments) {
      out.append('/').append(s);
    }
    if (directory || out.length() == 0) {
      out.append('/');
    }
    return out.toString();
  }
}
