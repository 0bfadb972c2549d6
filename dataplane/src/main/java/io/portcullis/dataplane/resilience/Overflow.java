package io.portcullis.dataplane.resilience;

/** Which circuit breaker refused a request; the value of {@code x-portcullis-overflow}. */
public enum Overflow {
  MAX_CONNECTIONS("max-connections"),
  MAX_PENDING_REQUESTS("max-pending-requests"),
  MAX_REQUESTS("max-requests"),
  RETRY_BUDGET("retry-budget");

  /** The response header that names the limit. */
  public static final String HEADER = "x-portcullis-overflow";

  private final String value;

  Overflow(String value) {
    this.value = value;
  }

  public String value() {
    return value;
  }
}
