package io.portcullis.dataplane.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.google.re2j.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RegexRewriteTest {
  @ParameterizedTest(name = "{0} with {1}: {2} -> {3}")
  @CsvSource(delimiter = ' ', value = {
      "/api(/|$)(.*) /$2 /api/users /users",
      "/api(/|$)(.*) /$2 /api /",
      "/(a|b)/(.*) /$1/x/$2 /b/q /b/x/q",
      "/v([0-9]+)/(.*) /v$1-api/$2 /v12/u /v12-api/u",
      "/opt(/x)?(.*) /o$1$2 /opt/y /o/y",
      "/(.*) /$9$1 /a /a",
      "/(.*) /$0 /a //a",
      "/(.*) $1 /a /a",
      "/(.*) /cost$$1 /a /cost$a",
  })
  void substitutesGroups(String regex, String template, String path, String expected) {
    assertEquals(expected, RegexRewrite.of(Pattern.compile(regex), template).apply(path));
  }

  @ParameterizedTest
  @CsvSource({"/plain", "/price$", "/$x"})
  void withoutGroupReferencesThereIsNothingToSubstitute(String template) {
    assertNull(RegexRewrite.of(Pattern.compile("/(.*)"), template));
  }
}
