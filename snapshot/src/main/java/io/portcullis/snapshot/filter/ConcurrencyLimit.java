package io.portcullis.snapshot.filter;

/**
 * How many requests one client address may have in progress on a route at once (nginx's
 * {@code limit_conn} keyed by {@code $binary_remote_addr}: on HTTP/2 each stream counts, as in
 * nginx). A request over the limit gets 503 and never reaches the backend; a request stops
 * counting when its exchange ends, answered or broken off. Counted per dataplane.
 *
 * @param perClient requests in progress per client address, at least 1
 */
public record ConcurrencyLimit(int perClient) implements FilterConfig {
  public static final String KIND = "concurrencyLimit";

  public ConcurrencyLimit {
    if (perClient < 1) {
      throw new IllegalArgumentException("concurrency limit must be at least 1: " + perClient);
    }
  }

  @Override
  public String kind() {
    return KIND;
  }
}
