package io.portcullis.dataplane.filter;

import java.util.List;

/**
 * The filters of one route (or of a virtual host for requests no route matched), in stage order,
 * compiled once per snapshot. Requests start an {@link ChainRun} on it; an empty chain costs a
 * request nothing but an array length check.
 */
public final class FilterChain {
  public static final FilterChain EMPTY = new FilterChain(List.of());

  private final HttpFilter[] filters;

  /** {@code filters} in the order they run (see {@link FilterStage}). */
  public FilterChain(List<HttpFilter> filters) {
    this.filters = filters.toArray(HttpFilter[]::new);
  }

  public boolean isEmpty() {
    return filters.length == 0;
  }

  public int size() {
    return filters.length;
  }

  HttpFilter get(int index) {
    return filters[index];
  }

  /**
   * Runs the request phases for one exchange. The listener hears exactly one of {@code proceed}
   * or {@code respond}, on the event loop, unless it stopped being active meanwhile.
   */
  public ChainRun start(FilterContext ctx, ChainRun.Listener listener) {
    ChainRun run = new ChainRun(this, ctx, listener);
    run.resume(0);
    return run;
  }
}
