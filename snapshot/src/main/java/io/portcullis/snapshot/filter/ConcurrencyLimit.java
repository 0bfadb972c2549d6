package io.portcullis.snapshot.filter;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * How many requests one client address may have in progress on a route at once (nginx's
 * {@code limit_conn} keyed by {@code $binary_remote_addr}: on HTTP/2 each stream counts, as in
 * nginx). A request over the limit gets 503 and never reaches the backend; a request stops
 * counting when its exchange ends, answered or broken off. Counted per dataplane.
 *
 * @param perClient requests in progress per client address, at least 1
 * @param group routes whose configs name the same group share one count per client (ingress-nginx
 *     counts per Ingress, over all its paths); null counts each route alone
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ConcurrencyLimit(int perClient, String group) implements FilterConfig {
  public static final String KIND = "concurrencyLimit";

  public ConcurrencyLimit {
    if (perClient < 1) {
      throw new IllegalArgumentException("concurrency limit must be at least 1: " + perClient);
    }
    if (group != null && group.isBlank()) {
      throw new IllegalArgumentException("concurrency limit group must not be blank");
    }
  }

  /** A limit counted per route. */
  public ConcurrencyLimit(int perClient) {
    this(perClient, null);
  }

  @Override
  public String kind() {
    return KIND;
  }
}
