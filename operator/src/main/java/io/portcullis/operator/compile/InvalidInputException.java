package io.portcullis.operator.compile;

/**
 * A user-supplied value the compiler cannot accept. The message is written for the object's
 * owner (it ends up in a condition and an event), so it names the offending value.
 */
final class InvalidInputException extends Exception {
  InvalidInputException(String message) {
    super(message, null, false, false);
  }
}
