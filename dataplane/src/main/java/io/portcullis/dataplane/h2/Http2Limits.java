package io.portcullis.dataplane.h2;

import java.time.Duration;

/**
 * What the HTTP/2 listener side needs to know: stream and window limits, flood limits and
 * timeouts. The proxy's settings make one ({@code ProxySettings.http2()}); this package does not
 * depend on the proxy.
 *
 * @param maxConcurrentStreams streams a client may have open at once
 * @param initialStreamWindow each stream's flow-control window, bytes
 * @param connectionWindow the connection's flow-control window, bytes
 * @param maxHeaderListSize the largest header block accepted, bytes
 * @param maxControlFramesPerWindow SETTINGS, PING, empty DATA and the like per flood window
 * @param maxResetsPerWindow RST_STREAM frames per flood window, either way
 * @param idleTimeout a connection with no stream and no byte this long closes
 * @param headerReadTimeout from the first byte of a request's header block (or of the connection
 *     preface) until the block is complete; longer ends the connection
 * @param gracefulShutdown how long streams in flight get after a GOAWAY
 */
public record Http2Limits(
    int maxConcurrentStreams,
    int initialStreamWindow,
    int connectionWindow,
    long maxHeaderListSize,
    int maxControlFramesPerWindow,
    int maxResetsPerWindow,
    Duration idleTimeout,
    Duration headerReadTimeout,
    Duration gracefulShutdown) {
  /** The window in which control frames and resets are counted against their limits. */
  public static final Duration FLOOD_WINDOW = Duration.ofSeconds(10);
}
