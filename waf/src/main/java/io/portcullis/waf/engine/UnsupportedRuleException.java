package io.portcullis.waf.engine;

/** A rule this engine cannot run; the rule is left out and reported by id at load. */
public final class UnsupportedRuleException extends Exception {
  public UnsupportedRuleException(String message) {
    super(message, null, false, false);
  }
}
