package io.portcullis.waf.engine;

/** A compiled {@code @operator argument}. */
public interface Operator {
  /**
   * Whether the operator matches {@code input}. When {@code capture} is set and the operator
   * captures ({@code @rx}, {@code @detectSQLi}, ...) it stores what it found in TX:0..9.
   */
  boolean matches(Transaction tx, String input, boolean capture);
}
