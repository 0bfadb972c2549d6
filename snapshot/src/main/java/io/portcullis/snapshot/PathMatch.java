package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/** How a route matches the request path (the path only: never the query string). */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PathMatch.Exact.class, name = "exact"),
  @JsonSubTypes.Type(value = PathMatch.Prefix.class, name = "prefix"),
  @JsonSubTypes.Type(value = PathMatch.Regex.class, name = "regex")
})
public sealed interface PathMatch {

  /** The whole path equals {@code value}. */
  record Exact(String value) implements PathMatch {
    public Exact {
      requireAbsolute(value);
    }
  }

  /**
   * The path equals {@code value} or continues it at a {@code /} boundary: {@code /foo} matches
   * {@code /foo}, {@code /foo/} and {@code /foo/bar} but not {@code /foobar}. A trailing slash in
   * the value is dropped ({@code /foo/} is {@code /foo}); {@code /} matches every path.
   */
  record Prefix(String value) implements PathMatch {
    public Prefix {
      requireAbsolute(value);
      while (value.length() > 1 && value.endsWith("/")) {
        value = value.substring(0, value.length() - 1);
      }
    }
  }

  /** The whole path matches the RE2 expression {@code pattern} (anchored at both ends). */
  record Regex(String pattern) implements PathMatch {
    public Regex {
      Sorted.requireText(pattern, "path regex");
    }
  }

  private static void requireAbsolute(String value) {
    if (value == null || !value.startsWith("/")) {
      throw new IllegalArgumentException("path must start with /: " + value);
    }
  }
}
