package io.portcullis.dataplane.resilience;

/** A connection was not acquired because a circuit breaker tripped, not because a backend failed. */
public final class OverflowException extends RuntimeException {
  private final Overflow overflow;

  public OverflowException(Overflow overflow) {
    super(overflow.value(), null, false, false);
    this.overflow = overflow;
  }

  public Overflow overflow() {
    return overflow;
  }
}
