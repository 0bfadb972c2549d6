package io.portcullis.operator.compile;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import io.portcullis.snapshot.HeaderMatch;

/**
 * Regex header matches, checked here so that a pattern RE2 cannot compile (backreferences,
 * lookaround) rejects its own route with a condition instead of making a dataplane refuse the
 * whole snapshot.
 */
final class HeaderRegex {
  /** Longest accepted pattern, as for paths. */
  static final int MAX_LENGTH = PathRules.MAX_PATH_LENGTH;

  private HeaderRegex() {}

  /** The match of header {@code name}'s whole value against {@code pattern}. */
  static HeaderMatch of(String name, String pattern) throws InvalidInputException {
    String problem = problem(pattern);
    if (problem != null) {
      throw new InvalidInputException("header match " + name + ": " + problem);
    }
    return new HeaderMatch(name, HeaderMatch.Type.REGEX, pattern);
  }

  /** Why RE2 cannot use {@code pattern} here, or null when it can. */
  static String problem(String pattern) {
    if (pattern == null || pattern.isEmpty()) {
      return "the regex is empty";
    }
    if (pattern.length() > MAX_LENGTH) {
      return "the regex is longer than " + MAX_LENGTH;
    }
    try {
      Pattern.compile(pattern);
      return null;
    } catch (PatternSyntaxException e) {
      return "not an RE2 regex (" + e.getDescription() + ")";
    }
  }
}
