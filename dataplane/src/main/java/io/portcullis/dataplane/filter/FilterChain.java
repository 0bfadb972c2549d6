package io.portcullis.dataplane.filter;

import java.util.List;

/**
 * The filters of one route (or of a virtual host for requests no route matched), in stage order,
 * compiled once per snapshot. Each request gets a {@link ChainRun} on it; an empty chain costs a
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
   * Prepares one exchange's run; {@link ChainRun#start} runs it. (Two steps, so the exchange holds
   * the run before a filter answers synchronously and the answer's response phases need it.)
   */
  public ChainRun newRun(FilterContext ctx, ChainRun.Listener listener) {
    return new ChainRun(this, ctx, listener);
  }
}
