package io.portcullis.waf.model;

import java.util.List;

/**
 * What the rules concluded about one request.
 *
 * @param decision allow, flag (rules matched, nothing condemned it), or condemn
 * @param anomalyScore the inbound anomaly score
 * @param interruptingRule the rule that condemned it (949110 for an exceeded score), 0 when none
 * @param matches the logged rule matches, in evaluation order
 */
public record WafVerdict(Decision decision, int anomalyScore, int interruptingRule, List<RuleMatch> matches) {
  public WafVerdict {
    matches = List.copyOf(matches);
  }

  public static final WafVerdict ALLOW = new WafVerdict(Decision.ALLOW, 0, 0, List.of());

  public enum Decision {
    ALLOW,
    FLAG,
    CONDEMN
  }

  public boolean condemned() {
    return decision == Decision.CONDEMN;
  }
}
