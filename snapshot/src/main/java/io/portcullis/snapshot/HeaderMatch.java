package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Locale;

/**
 * A condition on one request header. Names compare without case; values with case.
 *
 * @param name lower-case header name
 * @param type how to compare
 * @param value the value to compare with (the pattern for {@link Type#REGEX}); null for
 *     {@link Type#PRESENT}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HeaderMatch(String name, Type type, String value) {

  public enum Type {
    /** The header has exactly this value. */
    EXACT,
    /** The header's value starts with this value. */
    PREFIX,
    /** The header is present, whatever its value. */
    PRESENT,
    /**
     * The header's whole value matches the RE2 expression {@code value} (anchored at both ends,
     * as path regexes are; write {@code .*x.*} to find {@code x} anywhere). RE2 matches in linear
     * time, so no pattern a user writes can stall a proxy; the operator refuses patterns RE2
     * cannot compile before they reach a snapshot.
     */
    REGEX
  }

  public HeaderMatch {
    name = Sorted.requireText(name, "header name").toLowerCase(Locale.ROOT);
    java.util.Objects.requireNonNull(type, "type");
    if (type == Type.PRESENT) {
      value = null;
    } else if (value == null) {
      throw new IllegalArgumentException("header match " + name + " needs a value");
    }
  }
}
