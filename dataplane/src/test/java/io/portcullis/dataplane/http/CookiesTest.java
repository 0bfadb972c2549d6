package io.portcullis.dataplane.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class CookiesTest {

  @Test
  @DisplayName("the first cookie of a name counts, across fields, with case")
  void firstOfName() {
    assertEquals("always", Cookies.first("a=1; canary=always; canary=never", "canary"));
    assertEquals("always", Cookies.first(List.of("a=1", "canary=always", "canary=never"), "canary"));
    assertNull(Cookies.first("Canary=always", "canary"));
    assertNull(Cookies.first("xcanary=always; canaryx=1", "canary"));
    assertNull(Cookies.first(List.of(), "canary"));
  }

  @Test
  @DisplayName("lenient parsing: spaces, quotes, pairs without = and empty values")
  void lenient() {
    assertEquals("always", Cookies.first("  flag ;canary = always ;", "canary"));
    assertEquals("always", Cookies.first("canary=\"always\"", "canary"));
    assertEquals("", Cookies.first("canary=", "canary"));
    assertEquals("a=b", Cookies.first("canary=a=b", "canary"));
    assertNull(Cookies.first("canary", "canary"));
    assertNull(Cookies.first("", "canary"));
  }
}
