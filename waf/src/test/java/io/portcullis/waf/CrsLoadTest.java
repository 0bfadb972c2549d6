package io.portcullis.waf;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class CrsLoadTest {
  @Test
  void loadsTheCoreRuleSetAndReportsWhatItLeavesOut() {
    Path crs = Path.of("/usr/share/modsecurity-crs");
    Assumptions.assumeTrue(Files.isDirectory(crs.resolve("rules")), "modsecurity-crs not installed");
    WafRules rules = WafRules.loadCrs(crs);
    WafRules.LoadReport r = rules.report();
    System.out.println("request rules " + r.requestRules() + ", response " + r.responseRules());
    r.rejected().forEach((id, why) -> System.out.println("rejected " + id + ": " + why));
    r.warnings().forEach(w -> System.out.println("warning " + w));
    assertTrue(r.requestRules() > 250, "most CRS request rules load");
  }
}
