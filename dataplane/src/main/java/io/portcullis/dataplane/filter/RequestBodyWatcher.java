package io.portcullis.dataplane.filter;

/**
 * Sees the request body go past, part by part, without holding it (a size limit counts bytes).
 * Registered by a filter's request phase with {@link FilterContext#watchRequestBody}; called on
 * the event loop for every part that arrives from then on, before the part goes anywhere.
 */
@FunctionalInterface
public interface RequestBodyWatcher {

  /**
   * A part arrived; {@code total} body bytes have arrived so far (parts before the watcher was
   * registered included). Returns null to let the part through, or the answer that stops the
   * exchange: sent if no response has started yet (the backend's half-sent request is dropped
   * with its connection), otherwise the response is broken off (the connection closed, or the
   * HTTP/2 stream reset).
   */
  LocalResponse onPart(long total);
}
