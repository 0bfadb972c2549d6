package io.portcullis.waf;

/** What the WAF does with a request the rules condemn. */
public enum WafMode {
  /** Answer it with 403. */
  BLOCK,
  /** Let it through and write the audit line: for tuning rules before enforcing them. */
  DETECT
}
