package io.portcullis.waf;

import io.portcullis.waf.model.WafRequest;
import io.portcullis.waf.model.WafVerdict;
import io.portcullis.waf.engine.CompiledRules;
import io.portcullis.waf.engine.RuleSetParser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A loaded, compiled rule set: the OWASP Core Rule Set from a directory, or any SecLang text.
 * Loading is slow (regexes, phrase automata); inspecting is what requests pay, and shares
 * everything compiled here. Thread-safe.
 */
public final class WafRules {
  /**
   * What CRS's crs-setup.conf would say, without reading one: phases 1 and 2 default to
   * {@code log,auditlog,pass}, so {@code block} means "add to the anomaly score" and only the
   * blocking evaluation (949110) denies.
   */
  static final String CRS_SETUP =
      """
      SecDefaultAction "phase:1,log,auditlog,pass"
      SecDefaultAction "phase:2,log,auditlog,pass"
      SecAction "id:900990,phase:1,nolog,pass,t:none,setvar:tx.crs_setup_version=334"
      """;

  static final String ALLOWED_METHODS = "GET HEAD POST OPTIONS PUT PATCH DELETE";

  private final CompiledRules rules;
  private final LoadReport report;

  private WafRules(CompiledRules rules, LoadReport report) {
    this.rules = rules;
    this.report = report;
  }

  /**
   * Loads CRS from {@code dir}: the built-in setup, then {@code dir/rules/*.conf} in name order
   * (or {@code dir/*.conf} when there is no rules/ folder). Data files are looked up beside the
   * rule files.
   *
   * @throws UncheckedIOException when the directory cannot be read or holds no rule file
   */
  public static WafRules loadCrs(Path dir) {
    Path rulesDir = Files.isDirectory(dir.resolve("rules")) ? dir.resolve("rules") : dir;
    List<Path> files;
    try (Stream<Path> s = Files.list(rulesDir)) {
      files = s.filter(p -> p.getFileName().toString().endsWith(".conf")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read WAF rules directory " + rulesDir, e);
    }
    if (files.isEmpty()) {
      throw new UncheckedIOException(new IOException("no *.conf rule files in " + rulesDir));
    }
    RuleSetParser parser = new RuleSetParser();
    parser.parse(CRS_SETUP, "crs-setup (built in)", rulesDir);
    boolean additionsLoaded = false;
    for (Path f : files) {
      if (!additionsLoaded && f.getFileName().toString().compareTo("REQUEST-949") >= 0) {
        parser.parse(additions(), ADDITIONS, rulesDir);
        additionsLoaded = true;
      }
      try {
        parser.parse(Files.readString(f, StandardCharsets.ISO_8859_1), f.getFileName().toString(), rulesDir);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f, e);
      }
    }
    if (!additionsLoaded) {
      parser.parse(additions(), ADDITIONS, rulesDir);
    }
    return build(parser);
  }

  static final String ADDITIONS = "portcullis-additions.conf";

  /** Our own rules that close CRS 3.3 gaps (see the file); run just before the blocking evaluation. */
  static String additions() {
    try (var in = WafRules.class.getResourceAsStream(ADDITIONS)) {
      return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Compiles SecLang text (tests, and custom rule sets). */
  public static WafRules parse(String seclang, Path dataDir) {
    RuleSetParser parser = new RuleSetParser();
    parser.parse(seclang, "inline", dataDir);
    return build(parser);
  }

  private static WafRules build(RuleSetParser parser) {
    RuleSetParser.Result result = parser.result();
    CompiledRules compiled = new CompiledRules(result.rules());
    return new WafRules(
        compiled,
        new LoadReport(compiled.requestRuleCount(), result.responseRules(), result.rejected(), result.warnings()));
  }

  public LoadReport report() {
    return report;
  }

  /** Runs the request phases of the rules for one route's policy. */
  public WafVerdict inspect(WafRequest request, WafPolicy policy) {
    Map<String, String> tx = new HashMap<>();
    tx.put("paranoia_level", Integer.toString(policy.paranoiaLevel()));
    tx.put("executing_paranoia_level", Integer.toString(policy.paranoiaLevel()));
    tx.put("inbound_anomaly_score_threshold", Integer.toString(policy.anomalyThreshold()));
    // crs-setup's rule 900200 knob: an ingress serves REST APIs, so their verbs are allowed.
    tx.put("allowed_methods", ALLOWED_METHODS);
    WafVerdict v = rules.evaluate(request, policy.excluded(), tx);
    if (policy.mode() == WafMode.DETECT && v.condemned()) {
      return new WafVerdict(WafVerdict.Decision.FLAG, v.anomalyScore(), v.interruptingRule(), v.matches());
    }
    return v;
  }

  /**
   * What loading found.
   *
   * @param requestRules rules that run on requests (phases 1 and 2)
   * @param responseRules rules for response phases, loaded but not run: the WAF inspects requests
   * @param rejected rules left out, by id, with the reason (the rest runs)
   * @param warnings directives ignored or malformed
   */
  public record LoadReport(int requestRules, int responseRules, Map<Integer, String> rejected, List<String> warnings) {
    public LoadReport {
      rejected = Map.copyOf(rejected);
      warnings = List.copyOf(warnings);
    }
  }
}
