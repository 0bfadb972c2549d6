package io.portcullis.waf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** ModSecurity's transformations, each on the evasion it exists to undo. */
class TransformationsTest {
  static String t(String name, String in) {
    return Transformations.named(name).apply(in);
  }

  @ParameterizedTest(name = "{0}({1}) = {2}")
  @CsvSource(delimiter = '|', quoteCharacter = '~', value = {
      "urlDecode|a%20b+c%zz|a b c%zz",
      "urlDecodeUni|%u003cscript%uff1e|<script>",
      "htmlEntityDecode|&lt;img src=x&#x20;onerror&#61;a&gt|<img src=x onerror=a>",
      "jsDecode|\\x3cscript\\u003e\\101|<script>A",
      "cssDecode|\\6a avascript\\:|javascript:",
      "removeNulls|a\u0000b|ab",
      "compressWhitespace|a \t\f  b|a b",
      "removeWhitespace|s e l e c t|select",
      "cmdLine|C^a\"t  /ETC/'pass'wd|cat/etc/passwd",
      "cmdLine|w\\ho;a,mi|who a mi",
      "normalizePath|/a/./b/../../etc//passwd|/etc/passwd",
      "normalizePathWin|..\\..\\windows\\win.ini|../../windows/win.ini",
      "replaceComments|un/**/ion sel/*x*/ect|un ion sel ect",
      "base64Decode|PHNjcmlwdD4=|<script>",
      "hexDecode|3c7363726970743e|<script>",
      "lowercase|SeLeCt|select",
      "length|abcd|4",
      "trim|~  x  ~|x",
      "utf8toUnicode|\u00c3\u00a9|%u00e9"
  })
  void undoesEvasions(String name, String in, String out) {
    assertEquals(out, t(name, in));
  }

  @org.junit.jupiter.api.Test
  void unknownNamesAreNull() {
    assertNull(Transformations.named("rot13"));
  }
}
