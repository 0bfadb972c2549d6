package io.portcullis.operator;

import java.time.Duration;

/** What tests against fabric8's mock API server must allow for. */
public final class MockApiServer {
  private MockApiServer() {}

  /**
   * How long to wait for the operator to act on the mock API server.
   *
   * <p>Longer than the work needs on a loaded machine because the mock (kubernetes-server-mock
   * 7.8.0) can stall for 30 seconds: when a client closes a watch while an event to it is being
   * sent, the server's only event loop waits for that watch's sender to finish
   * ({@code WatchEventsListener.onClosed}), and the sender waits up to 30 s for the event loop to
   * complete its write. Every request to the mock waits meanwhile. Closing an operator replica
   * while another writes statuses triggers it (CI saw it once in RbacCoverageTest). A deadline
   * only bounds a wait: a passing test does not take longer for it.
   */
  public static final Duration DEADLINE = Duration.ofSeconds(75);
}
