package io.portcullis.waf.libinjection;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The port against libinjection's C library: the same verdict on every sample. */
class XssTest {
  @Test
  void scriptTagsEventHandlersAndScriptUrlsAreXss() {
    assertTrue(Xss.isXss("<script>alert(1)</script>"));
    assertTrue(Xss.isXss("<img src=x onerror=alert(1)>"));
    assertTrue(Xss.isXss("<a href=\"&#106;avascript:alert(1)\">x</a>"));
    assertTrue(Xss.isXss("\"><svg/onload=alert(1)>"));
  }

  @Test
  void ordinaryTextIsNot() {
    assertFalse(Xss.isXss("Tom & Jerry"));
    assertFalse(Xss.isXss("1 < 2 and 3 > 2"));
    assertFalse(Xss.isXss("<b>bold</b>"));
  }

  @Test
  void agreesWithTheCLibraryOnEverySample() throws IOException {
    List<String> disagreements = new ArrayList<>();
    int n = 0;
    try (InputStream in = XssTest.class.getResourceAsStream("/libinjection-xss-expected.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).split("\n")) {
        if (line.startsWith("#") || line.isEmpty()) {
          continue;
        }
        int tab = line.lastIndexOf('\t');
        boolean expected = line.substring(tab + 1).equals("1");
        String input = line.substring(0, tab);
        n++;
        if (Xss.isXss(input) != expected) {
          disagreements.add(input + " expected " + expected);
        }
      }
    }
    assertTrue(n > 300, "the sample table is there");
    assertTrue(disagreements.isEmpty(), String.join("\n", disagreements));
  }
}
