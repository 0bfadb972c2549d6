package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The largest request body a route accepts (nginx's {@code client_max_body_size}). A request that
 * declares a longer {@code Content-Length} gets 413 before anything goes upstream; a chunked or
 * HTTP/2 body that grows past the limit gets 413 when no response has started yet, else its
 * stream is reset. Replaces the dataplane's own limit for the route, narrower or wider.
 *
 * @param maxBytes the limit in bytes; 0 means unlimited, as in nginx
 */
@JsonInclude(JsonInclude.Include.NON_DEFAULT)
public record BodyLimit(long maxBytes) implements FilterConfig {
  public static final String KIND = "bodyLimit";

  public BodyLimit {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("body limit must not be negative: " + maxBytes);
    }
  }

  /** Whether every body size is accepted. */
  public boolean unlimited() {
    return maxBytes == 0;
  }

  @Override
  public String kind() {
    return KIND;
  }
}
