package io.portcullis.dataplane.health;

/**
 * Why one request to an endpoint failed, as {@link OutlierDetector#reportFailure} is told.
 *
 * @param kind what went wrong
 * @param status the HTTP status for {@link Kind#HTTP_5XX}, else 0
 */
public record Failure(Kind kind, int status) {
  /** The TCP (or TLS) connection to the endpoint could not be opened. */
  public static final Failure CONNECT_FAILURE = new Failure(Kind.CONNECT_FAILURE, 0);
  /** The endpoint closed or reset the connection, or sent garbage, before the response ended. */
  public static final Failure RESET = new Failure(Kind.RESET, 0);
  /** The endpoint did not answer in time. */
  public static final Failure TIMEOUT = new Failure(Kind.TIMEOUT, 0);

  public enum Kind { CONNECT_FAILURE, RESET, TIMEOUT, HTTP_5XX }

  public Failure {
    if ((kind == Kind.HTTP_5XX) != (status >= 500 && status <= 599)) {
      throw new IllegalArgumentException("a status 500-599 goes with HTTP_5XX only: " + kind + " " + status);
    }
  }

  /** A response with status 500-599. */
  public static Failure http(int status) {
    return new Failure(Kind.HTTP_5XX, status);
  }

  /**
   * A gateway failure in Envoy's sense: the endpoint could not be reached or answered 502, 503 or
   * 504. A 500 is the application's own error, not the endpoint being down.
   */
  public boolean isGatewayFailure() {
    return kind != Kind.HTTP_5XX || status == 502 || status == 503 || status == 504;
  }
}
