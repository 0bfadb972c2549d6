package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * One way requests authenticate. On the wire a mechanism is an object with one key, its type
 * name: {@code {"basic": {...}}}.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.WRAPPER_OBJECT)
@JsonSubTypes({
  @JsonSubTypes.Type(value = BasicAuth.class, name = "basic"),
  @JsonSubTypes.Type(value = JwtAuth.class, name = "jwt"),
  @JsonSubTypes.Type(value = ExternalAuth.class, name = "external"),
  @JsonSubTypes.Type(value = OidcAuth.class, name = "oidc"),
  @JsonSubTypes.Type(value = UnusableAuth.class, name = "unusable")
})
public sealed interface AuthMechanism permits BasicAuth, JwtAuth, ExternalAuth, OidcAuth, UnusableAuth {

  /** The mechanism's name in metrics and logs. */
  String name();

  /** HTTP header names (tokens), lower case. */
  Pattern HEADER_NAME = Pattern.compile("[!#$%&'*+.^_`|~0-9a-z-]{1,256}");

  /** Lower-cases, checks, de-duplicates and sorts header names; null is empty. */
  static List<String> headerNames(List<String> names, String what) {
    if (names == null) {
      return List.of();
    }
    List<String> out = names.stream()
        .map(n -> n == null ? "" : n.trim().toLowerCase(Locale.ROOT))
        .distinct()
        .sorted()
        .toList();
    out.forEach(n -> headerName(n, what));
    return out;
  }

  /** Lower-cases and checks one header name. */
  static String headerName(String name, String what) {
    String lower = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    if (!HEADER_NAME.matcher(lower).matches()) {
      throw new IllegalArgumentException(what + ": not a valid header name: '" + name + "'");
    }
    return lower;
  }
}
