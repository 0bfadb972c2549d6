package io.portcullis.waf;

import io.portcullis.waf.model.WafVerdict;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Assumptions;

/**
 * The acceptance numbers of the issue on our own corpus: CRS 3.3.4 at paranoia level 1 condemns
 * at least 56 of the 60 attacks and lets at least 59 of the 60 benign requests through.
 */
class CrsCorpusTest {
  static final Path CRS = Path.of("/usr/share/modsecurity-crs");
  static WafRules rules;

  @BeforeAll
  static void load() {
    Assumptions.assumeTrue(Files.isDirectory(CRS.resolve("rules")), "modsecurity-crs is not installed");
    rules = WafRules.loadCrs(CRS);
  }

  @Test
  void condemnsAttacks() {
    List<Corpus.Case> cases = Corpus.load("attacks.http");
    int condemned = 0;
    StringBuilder report = new StringBuilder();
    for (Corpus.Case c : cases) {
      WafVerdict v = rules.inspect(c.request(), WafPolicy.defaults(WafMode.BLOCK));
      if (v.condemned()) {
        condemned++;
      }
      report.append(v.condemned() ? "BLOCK " : "MISS  ").append(c.name()).append(" score=")
          .append(v.anomalyScore()).append(' ').append(ids(v)).append('\n');
    }
    System.out.println(report);
    System.out.println("attacks condemned: " + condemned + "/" + cases.size());
    assertTrue(condemned >= 56, "at least 56 of 60 attacks condemned, got " + condemned + "\n" + report);
  }

  @Test
  void passesBenignTraffic() {
    List<Corpus.Case> cases = Corpus.load("benign.http");
    int passed = 0;
    StringBuilder report = new StringBuilder();
    for (Corpus.Case c : cases) {
      WafVerdict v = rules.inspect(c.request(), WafPolicy.defaults(WafMode.BLOCK));
      if (!v.condemned()) {
        passed++;
      }
      report.append(v.condemned() ? "FALSE+ " : "pass   ").append(c.name()).append(" score=")
          .append(v.anomalyScore()).append(' ').append(ids(v)).append('\n');
    }
    System.out.println(report);
    System.out.println("benign passed: " + passed + "/" + cases.size());
    assertTrue(passed >= cases.size() - 1, "at most one false positive, got " + (cases.size() - passed) + "\n" + report);
  }

  static String ids(WafVerdict v) {
    return v.matches().stream().map(m -> m.ruleId() + "(" + m.variable() + ")").collect(Collectors.joining(","));
  }
}
