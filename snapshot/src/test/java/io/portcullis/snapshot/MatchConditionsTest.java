package io.portcullis.snapshot;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Regex header matches and cookie matches: their wire form and their validation. */
class MatchConditionsTest {

  @Test
  @DisplayName("a match without cookies has the JSON it had before cookie matches existed")
  void noCookiesNoField() {
    String json = SnapshotCodec.toJsonString(RouteMatch.path(new PathMatch.Prefix("/")));
    assertFalse(json.contains("cookies"), json);
  }

  @Test
  @DisplayName("regex headers and cookies survive the codec, cookies sorted by name")
  void roundTrip() {
    RouteMatch match = new RouteMatch(new PathMatch.Prefix("/"),
        List.of(new HeaderMatch("X-Region", HeaderMatch.Type.REGEX, ".*(?:eu-.*).*")),
        List.of(), List.of(new CookieMatch("z", "1"), new CookieMatch("canary", "always")));
    String json = SnapshotCodec.toJsonString(match);
    assertTrue(json.contains("\"type\":\"REGEX\""), json);
    RouteMatch back = SnapshotCodec.fromJson(json, RouteMatch.class);
    assertEquals(match, back);
    assertEquals("canary", back.cookies().get(0).name());
    assertEquals("x-region", back.headers().get(0).name());
  }

  @Test
  @DisplayName("cookie names are tokens and values cookie-octets")
  void cookieValidation() {
    assertThrows(IllegalArgumentException.class, () -> new CookieMatch("a b", "1"));
    assertThrows(IllegalArgumentException.class, () -> new CookieMatch("a", "x;y"));
    assertThrows(IllegalArgumentException.class, () -> new CookieMatch("a", "x y"));
    assertEquals("", new CookieMatch("a", "").value());
  }

  @Test
  @DisplayName("a regex header match needs a pattern")
  void regexNeedsValue() {
    assertThrows(IllegalArgumentException.class,
        () -> new HeaderMatch("x", HeaderMatch.Type.REGEX, null));
  }
}
