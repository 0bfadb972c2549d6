package io.portcullis.waf.engine;

import io.portcullis.waf.model.RuleIds;
import io.portcullis.waf.model.RuleMatch;
import io.portcullis.waf.model.WafRequest;
import io.portcullis.waf.model.WafVerdict;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The request-phase rules in evaluation order, one list per phase with the markers placed in
 * each, and where each marker sits (for {@code skipAfter}). Immutable and shared.
 */
public final class CompiledRules {
  private final List<List<Rule>> phases = new ArrayList<>();
  private final List<Map<String, Integer>> markers = new ArrayList<>();
  private final int ruleCount;

  public CompiledRules(List<Rule> rules) {
    int count = 0;
    for (int p = 0; p <= 2; p++) {
      List<Rule> list = new ArrayList<>();
      Map<String, Integer> index = new HashMap<>();
      for (Rule r : rules) {
        if (r.isMarker()) {
          index.put(r.marker, list.size());
          list.add(r);
        } else if (r.phase == p) {
          list.add(r);
          count++;
        }
      }
      phases.add(List.copyOf(list));
      markers.add(Map.copyOf(index));
    }
    this.ruleCount = count;
  }

  List<Rule> phase(int p) {
    return phases.get(p);
  }

  Integer markerIndex(int phase, String marker) {
    return markers.get(phase).get(marker);
  }

  public int requestRuleCount() {
    return ruleCount;
  }

  /**
   * Runs phases 1 and 2 over a request.
   *
   * @param initialTx TX variables set before the first rule (paranoia level, threshold)
   */
  public WafVerdict evaluate(WafRequest request, RuleIds excluded, Map<String, String> initialTx) {
    Transaction tx = new Transaction(request, excluded, initialTx);
    boolean interrupted = tx.runPhase(this, 1) || (!tx.engineOff() && !tx.allowed && tx.runPhase(this, 2));
    List<RuleMatch> matches = tx.matches;
    if (tx.engineOff()) {
      return WafVerdict.ALLOW;
    }
    WafVerdict.Decision decision;
    if (interrupted && !tx.detectionOnly()) {
      decision = WafVerdict.Decision.CONDEMN;
    } else if (!matches.isEmpty()) {
      decision = WafVerdict.Decision.FLAG;
    } else {
      return WafVerdict.ALLOW;
    }
    return new WafVerdict(decision, tx.anomalyScore(), interrupted ? tx.interruptingRule : 0, matches);
  }
}
