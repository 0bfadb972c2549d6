package io.portcullis.operator.compile;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.portcullis.snapshot.PathMatch;

/**
 * Builds and validates path matches. Regular expressions use RE2 syntax (linear-time matching,
 * so no user's pattern can stall a proxy) and are compiled here once so that an invalid one
 * rejects its own route at compile time instead of failing a dataplane.
 */
final class PathRules {
  private PathRules() {}

  /** Longest accepted path or pattern; longer ones are almost certainly mistakes or attacks. */
  static final int MAX_PATH_LENGTH = 1024;

  static PathMatch exact(String path) throws InvalidInputException {
    return new PathMatch.Exact(checkPath(path));
  }

  static PathMatch prefix(String path) throws InvalidInputException {
    return new PathMatch.Prefix(checkPath(path));
  }

  static PathMatch regex(String pattern) throws InvalidInputException {
    if (pattern == null || !pattern.startsWith("/")) {
      throw new InvalidInputException("path regex '" + pattern + "' must start with /");
    }
    if (pattern.length() > MAX_PATH_LENGTH) {
      throw new InvalidInputException("path regex is longer than " + MAX_PATH_LENGTH);
    }
    try {
      Pattern.compile(pattern);
    } catch (PatternSyntaxException e) {
      throw new InvalidInputException("invalid path regex '" + pattern + "': " + e.getDescription());
    }
    return new PathMatch.Regex(pattern);
  }

  private static String checkPath(String path) throws InvalidInputException {
    if (path == null || !path.startsWith("/")) {
      throw new InvalidInputException("path '" + path + "' must start with /");
    }
    if (path.length() > MAX_PATH_LENGTH) {
      throw new InvalidInputException("path is longer than " + MAX_PATH_LENGTH);
    }
    for (int i = 0; i < path.length(); i++) {
      char c = path.charAt(i);
      // Whitespace, controls and the query/fragment separators can never appear in a request path
      // the proxy compares against, so such a rule could never match: say so instead.
      if (c <= 0x20 || c == 0x7f || c == '?' || c == '#') {
        throw new InvalidInputException(
            "path '" + path + "' contains a character that cannot appear in a request path");
      }
    }
    return path;
  }
}
