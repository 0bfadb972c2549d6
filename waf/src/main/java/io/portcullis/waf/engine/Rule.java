package io.portcullis.waf.engine;

import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * One compiled SecRule, SecAction or SecMarker. Immutable after load; shared by every request.
 * A chain is the head rule with {@link #chained} pointing at the next link; the head carries id,
 * phase and disruptive action for the whole chain.
 */
public final class Rule {
  /** What a match does to the transaction's flow. */
  public enum Disruptive {
    NONE,
    PASS,
    BLOCK,
    DENY,
    ALLOW
  }

  int id;
  int phase = 2;
  String file;
  int line;
  List<Target> targets = List.of(); // empty for SecAction: matches unconditionally
  Operator operator;
  String operatorName = "";
  String operatorArg = "";
  boolean negated;
  List<UnaryOperator<String>> transforms = List.of();
  String transformKey = "";
  int transformId; // TransformChains.id(transformKey): index of the per-request transform cache
  Rule chained;
  Disruptive disruptive = Disruptive.NONE;
  Boolean log; // null: the phase default
  Macro msg;
  Macro logdata;
  Set<String> tags = Set.of();
  String severity = "";
  boolean capture;
  List<SetVar> setvars = List.of();
  List<Ctl> ctls = List.of();
  String skipAfter;
  int skip;
  String marker; // set for SecMarker only

  public int id() {
    return id;
  }

  public int phase() {
    return phase;
  }

  public Set<String> tags() {
    return tags;
  }

  boolean isMarker() {
    return marker != null;
  }

  /** {@code setvar:col.key=value}, {@code =+n}, {@code =-n}, or {@code !col.key}. */
  record SetVar(String collection, Macro key, char op, Macro value) {}

  /** A runtime {@code ctl:} action. */
  record Ctl(String name, String value) {}
}
