package io.portcullis.operator.compile;

/**
 * A user-supplied value the compiler cannot accept. The message is written for the object's
 * owner (it ends up in a condition and an event), so it names the offending value.
 */
final class InvalidInputException extends Exception {
  private final String reason;

  InvalidInputException(String message) {
    this(null, message);
  }

  /** @param reason the {@link Reasons} value to report, or null for the caller's usual one */
  InvalidInputException(String reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  /** The reason to report, or {@code fallback} when the thrower named none. */
  String reasonOr(String fallback) {
    return reason == null ? fallback : reason;
  }
}
