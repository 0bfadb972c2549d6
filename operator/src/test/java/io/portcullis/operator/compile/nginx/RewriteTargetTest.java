package io.portcullis.operator.compile.nginx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.portcullis.snapshot.PathMatch;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** rewrite-target onto the snapshot's rewrites, or refused; ingress-nginx's reading of regex paths. */
class RewriteTargetTest {
  static Stream<Arguments> plans() {
    return Stream.of(
        Arguments.of("the documented /api(/|$)(.*) with /$2", new PathMatch.Regex("/api(/|$)(.*)"), "/$2",
            new RewriteTarget.Plan(new PathMatch.Regex("/api(/|$)(.*)"), "/$2")),
        Arguments.of("two groups, glued to literals", new PathMatch.Regex("/(a|b)/(.*)"), "/v2$1/x/$2",
            new RewriteTarget.Plan(new PathMatch.Regex("/(a|b)/(.*)"), "/v2$1/x/$2")),
        Arguments.of("no groups on a regex: the whole path", new PathMatch.Regex("/ap.(/|$)(.*)"), "/x",
            new RewriteTarget.Plan(new PathMatch.Regex("/ap.(/|$)(.*)"), "/x")),
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
        Arguments.of("groups on a prefix path", new PathMatch.Prefix("/api"), "/$1"),
        Arguments.of("groups on an exact path", new PathMatch.Exact("/api"), "/$1"),
        Arguments.of("a URL", new PathMatch.Prefix("/"), "https://x.example/"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("refused")
  void refused(String situation, PathMatch match, String target) {
    assertThrows(IllegalArgumentException.class, () -> RewriteTarget.plan(match, target));
  }

  @org.junit.jupiter.api.Test
  void nginxRegexKeepsTheWrittenPatternForOrdering() {
    PathMatch.Regex written = new PathMatch.Regex("/api(/|$)(.*)");
    assertEquals("(?i)(?:/api(/|$)(.*)).*", RewriteTarget.nginxRegex(written).pattern());
    assertEquals(written.pattern(), RewriteTarget.written(RewriteTarget.nginxRegex(written)));
    assertEquals(written.pattern(), RewriteTarget.written(written));
  }
}
