package io.portcullis.dataplane.filters.limits;

import io.portcullis.dataplane.filter.HttpFilter;
import io.portcullis.snapshot.filter.ConcurrencyLimit;

/**
 * Builds concurrency-limit filters over the process's one set of counts, which outlives
 * snapshots. Register with {@code builder.add(ConcurrencyLimit.class, FilterStage.RATE_LIMIT,
 * ConcurrencyLimits.shared()::create)}.
 */
public final class ConcurrencyLimits {
  private final ConcurrencyCounts counts;

  public ConcurrencyLimits(ConcurrencyCounts counts) {
    this.counts = counts;
  }

  private static final class Shared {
    static final ConcurrencyLimits INSTANCE = new ConcurrencyLimits(new ConcurrencyCounts());
  }

  /** The process's counts, created on first use. */
  public static ConcurrencyLimits shared() {
    return Shared.INSTANCE;
  }

  public ConcurrencyCounts counts() {
    return counts;
  }

  public HttpFilter create(ConcurrencyLimit config) {
    return new ConcurrencyLimitFilter(config, counts);
  }
}
