package io.portcullis.dataplane.health;

/**
 * The result of one active health check.
 *
 * @param healthy the endpoint answered with an expected status in time
 * @param detail what happened, for logs: {@code status 200}, {@code timeout}, {@code connect: ...}
 */
record CheckResult(boolean healthy, String detail) {
  static CheckResult failed(String detail) {
    return new CheckResult(false, detail);
  }
}
