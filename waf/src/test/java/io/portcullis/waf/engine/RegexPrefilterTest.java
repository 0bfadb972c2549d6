package io.portcullis.waf.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class RegexPrefilterTest {
  @Test
  void literalsOfAlternationsConcatenationsAndClasses() {
    assertEquals(Set.of("union", "select"), RegexPrefilter.literals("(?i)\\b(?:union|select)\\b"));
    assertEquals(Set.of("<script"), RegexPrefilter.literals("(?i)<script[^>]*>"));
    assertEquals(Set.of("../", "..\\"), RegexPrefilter.literals("\\.\\.[/\\\\]"));
    assertEquals(Set.of("ab"), RegexPrefilter.literals("x?abc+d*"));
  }

  @Test
  void noConstraintWhenTheRegexCanMatchWithoutLiterals() {
    assertNull(RegexPrefilter.literals("^\\d+$"));
    assertNull(RegexPrefilter.literals("a|\\w+"));
    assertNull(RegexPrefilter.literals("(?:ab)?"));
    assertEquals(Set.of("bc", "x"), RegexPrefilter.literals("[^a]bc|x"));
    assertNull(RegexPrefilter.literals("\\d+|x"));
  }

  /**
   * The safety property on the real rules: whenever a CRS regex matches an input, the prefilter
   * lets that input through. Inputs are the attack and benign corpora's lines and the
   * libinjection samples, raw and lower-cased.
   */
  @Test
  void neverRulesOutWhatACrsRegexMatches() throws IOException {
    Path rulesDir = Path.of("/usr/share/modsecurity-crs/rules");
    Assumptions.assumeTrue(Files.isDirectory(rulesDir));
    RuleSetParser parser = new RuleSetParser();
    try (Stream<Path> files = Files.list(rulesDir)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".conf")).sorted().toList()) {
        parser.parse(Files.readString(f, StandardCharsets.ISO_8859_1), f.getFileName().toString(), rulesDir);
      }
    }
    List<String> inputs = new ArrayList<>();
    for (String res : List.of("/corpus/attacks.http", "/corpus/benign.http", "/libinjection-sqli-expected.tsv",
        "/libinjection-xss-expected.tsv")) {
      try (InputStream in = RegexPrefilterTest.class.getResourceAsStream(res)) {
        for (String line : new String(in.readAllBytes(), StandardCharsets.ISO_8859_1).split("\n")) {
          String l = line.split("\t")[0];
          inputs.add(l);
          inputs.add(Decoding.urlDecode(l, true));
          inputs.add(Decoding.urlDecode(l, true).toLowerCase());
        }
      }
    }
    int filtered = 0;
    int regexes = 0;
    List<String> violations = new ArrayList<>();
    for (Rule head : parser.result().rules()) {
      for (Rule r = head; r != null; r = r.chained) {
        if (!r.operatorName.equals("rx") || r.operatorArg.contains("%{")) {
          continue;
        }
        regexes++;
        Set<String> lits = RegexPrefilter.literals(r.operatorArg);
        if (lits == null) {
          continue;
        }
        filtered++;
        AhoCorasick ac = new AhoCorasick(lits);
        Pattern p = Pattern.compile(r.operatorArg, Pattern.DOTALL);
        for (String in : inputs) {
          if (p.matcher(in).find() && ac.find(in) == null) {
            violations.add(head.id + " " + lits + " on " + in);
          }
        }
      }
    }
    System.out.println("CRS regexes " + regexes + ", with a literal prefilter " + filtered);
    assertTrue(violations.isEmpty(), String.join("\n", violations));
    assertTrue(filtered > regexes / 3, "most regexes get a prefilter: " + filtered + "/" + regexes);
  }
}
