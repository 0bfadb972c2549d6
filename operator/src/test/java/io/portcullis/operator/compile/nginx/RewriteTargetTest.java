package io.portcullis.operator.compile.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.snapshot.PathMatch;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** rewrite-target onto the snapshot's two rewrites, or refused. */
class RewriteTargetTest {
  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("the documented /api(/|$)(.*) with /$2", new PathMatch.Regex("/api(/|$)(.*)"), "/$2",
            new RewriteTarget.Plan(new PathMatch.Prefix("/api"), "/")),
        Arguments.of("a base before $2", new PathMatch.Regex("/shop/api(/|$)(.*)"), "/v2/$2",
            new RewriteTarget.Plan(new PathMatch.Prefix("/shop/api"), "/v2/")),
        Arguments.of("PATH/(.*) with /$1", new PathMatch.Regex("/web/(.*)"), "/$1",
            new RewriteTarget.Plan(new PathMatch.Prefix("/web"), "/")),
        Arguments.of("no groups on a prefix: the whole path", new PathMatch.Prefix("/old.v1"), "/new",
            new RewriteTarget.Plan(new PathMatch.Regex("/old\\.v1(/.*)?"), "/new")),
        Arguments.of("no groups on the root prefix", new PathMatch.Prefix("/"), "/index.html",
            new RewriteTarget.Plan(new PathMatch.Regex("/.*"), "/index.html")),
        Arguments.of("no groups on an exact path", new PathMatch.Exact("/a"), "/b",
            new RewriteTarget.Plan(new PathMatch.Exact("/a"), "/b")));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void plan(String situation, PathMatch match, String target, RewriteTarget.Plan expected) {
    assertEquals(expected, RewriteTarget.plan(match, target));
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("two groups used", new PathMatch.Regex("/(a|b)/(.*)"), "/$1/x/$2"),
        Arguments.of("$2 glued to a base without slash", new PathMatch.Regex("/api(/|$)(.*)"), "/v2$2"),
        Arguments.of("groups on a prefix path", new PathMatch.Prefix("/api"), "/$1"),
        Arguments.of("a regex prefix", new PathMatch.Regex("/ap.(/|$)(.*)"), "/$2"),
        Arguments.of("a URL", new PathMatch.Prefix("/"), "https://x.example/"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refused(String situation, PathMatch match, String target) {
    assertThrows(IllegalArgumentException.class, () -> RewriteTarget.plan(match, target));
  }
}
