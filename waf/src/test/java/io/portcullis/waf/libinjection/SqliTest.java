package io.portcullis.waf.libinjection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The port against libinjection's C library: same verdict and fingerprint on every sample. */
class SqliTest {
  @Test
  void readmeExampleHasItsDocumentedFingerprint() {
    assertEquals("s&1UE", Sqli.fingerprintIfSqli("-1' and 1=1 union/* foo */select load_file('/etc/passwd')--"));
  }

  @Test
  void classicTautologyAndLoginBypassAreSqli() {
    assertEquals("s&sos", Sqli.fingerprintIfSqli("1' OR '1'='1"));
    assertEquals("sc", Sqli.fingerprintIfSqli("admin'--"));
  }

  @Test
  void ordinaryTextIsNot() {
    assertNull(Sqli.fingerprintIfSqli("O'Brien"));
    assertFalse(Sqli.isSqli("select a gift for my dad"));
    assertFalse(Sqli.isSqli(""));
  }

  @Test
  void mysqlConditionalCommentIsUnparsableAndSoEvil() {
    assertTrue(Sqli.isSqli("1 /*!union*/ select"));
    assertEquals("X", Sqli.fingerprintIfSqli("1 /*!union*/ select"));
  }

  @Test
  void agreesWithTheCLibraryOnEverySample() throws IOException {
    List<String> disagreements = new ArrayList<>();
    int n = 0;
    try (InputStream in = SqliTest.class.getResourceAsStream("/libinjection-sqli-expected.tsv")) {
      for (String line : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).split("\n")) {
        if (line.startsWith("#") || line.isEmpty()) {
          continue;
        }
        String[] f = line.split("\t", -1);
        String expected = f[1].equals("1") ? f[2] : null;
        String actual = Sqli.fingerprintIfSqli(f[0]);
        n++;
        if (!java.util.Objects.equals(expected, actual)) {
          disagreements.add(f[0] + " expected " + expected + " got " + actual);
        }
      }
    }
    assertTrue(n > 350, "the sample table is there");
    assertTrue(disagreements.isEmpty(), String.join("\n", disagreements));
  }
}
