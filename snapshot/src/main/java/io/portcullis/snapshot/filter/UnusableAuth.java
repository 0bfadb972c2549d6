package io.portcullis.snapshot.filter;

/**
 * Authentication was configured but cannot be used (a missing Secret, a refused password
 * scheme): the route fails closed, answering 503, rather than serving without authentication or
 * disappearing (which would let a less specific route, perhaps without authentication, answer).
 * The operator says why in a condition and an Event.
 *
 * @param reason what is wrong, for the dataplane's log
 */
public record UnusableAuth(String reason) implements AuthMechanism {
  public UnusableAuth {
    reason = reason == null ? "" : reason;
  }

  @Override
  public String name() {
    return "unusable";
  }
}
