package io.portcullis.snapshot;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What a request must look like for a route to accept it. All parts must hold.
 *
 * @param path the path condition
 * @param headers every header condition must hold (sorted by name for a canonical form)
 * @param methods upper-case methods, any of which is accepted; empty means every method
 * @param cookies every cookie condition must hold (sorted by name); omitted from JSON when empty,
 *     so routes without cookie matches keep the version they had before cookie matches existed
 */
public record RouteMatch(
    PathMatch path,
    List<HeaderMatch> headers,
    List<String> methods,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<CookieMatch> cookies) {

  public RouteMatch {
    java.util.Objects.requireNonNull(path, "path");
    headers =
        Sorted.copy(
            headers, Comparator.comparing(HeaderMatch::name).thenComparing(HeaderMatch::toString));
    methods =
        methods == null
            ? List.of()
            : methods.stream().map(m -> m.toUpperCase(Locale.ROOT)).distinct().sorted().toList();
    cookies =
        Sorted.copy(
            cookies, Comparator.comparing(CookieMatch::name).thenComparing(CookieMatch::value));
  }

  /** A match without cookie conditions. */
  public RouteMatch(PathMatch path, List<HeaderMatch> headers, List<String> methods) {
    this(path, headers, methods, List.of());
  }

  public static RouteMatch path(PathMatch path) {
    return new RouteMatch(path, List.of(), List.of(), List.of());
  }
}
