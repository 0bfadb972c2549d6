package io.portcullis.dataplane.filter;

import io.portcullis.snapshot.filter.FilterConfig;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which filter class and stage serve each snapshot filter kind; compiles a route's chain from
 * its host's and its own configs. Built once at start with the long-lived state the factories
 * need (cache storage, rate-limit buckets, metrics), so a snapshot swap rebuilds the cheap
 * per-route filters and keeps that state.
 */
public final class FilterRegistry {
  /** Builds the filter for one config; may throw IllegalArgumentException for a config it rejects. */
  @FunctionalInterface
  public interface Factory<C extends FilterConfig> {
    HttpFilter create(C config);
  }

  private record Entry(FilterStage stage, Factory<FilterConfig> factory) {}

  private final Map<Class<?>, Entry> entries;

  private FilterRegistry(Map<Class<?>, Entry> entries) {
    this.entries = Map.copyOf(entries);
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * The chain for requests of a route: the host's configs, each kind replaced by the route's
   * config of that kind, plus the built-in filters; all ordered by stage (stable for equal
   * stages: built-ins first).
   *
   * @throws IllegalArgumentException when a kind has no filter here, or a factory rejects a config
   */
  public FilterChain compile(
      List<FilterConfig> host, List<FilterConfig> route, List<StagedFilter> builtIns) {
    if (host.isEmpty() && route.isEmpty() && builtIns.isEmpty()) {
      return FilterChain.EMPTY;
    }
    Map<String, FilterConfig> byKind = new LinkedHashMap<>();
    host.forEach(c -> byKind.put(c.kind(), c));
    route.forEach(c -> byKind.put(c.kind(), c));
    List<StagedFilter> staged = new ArrayList<>(builtIns);
    for (FilterConfig config : byKind.values()) {
      Entry entry = entries.get(config.getClass());
      if (entry == null) {
        throw new IllegalArgumentException("this dataplane has no filter for kind " + config.kind());
      }
      staged.add(new StagedFilter(entry.stage(), entry.factory().create(config)));
    }
    staged.sort(Comparator.comparing(StagedFilter::stage));
    return new FilterChain(staged.stream().map(StagedFilter::filter).toList());
  }

  /** A filter that is not configured by a snapshot kind (TLS policy, header rewrites). */
  public record StagedFilter(FilterStage stage, HttpFilter filter) {}

  /** Registers kinds. */
  public static final class Builder {
    private final Map<Class<?>, Entry> entries = new HashMap<>();

    @SuppressWarnings("unchecked")
    public <C extends FilterConfig> Builder add(
        Class<C> kind, FilterStage stage, Factory<? super C> factory) {
      if (entries.putIfAbsent(kind, new Entry(stage, (Factory<FilterConfig>) factory)) != null) {
        throw new IllegalArgumentException("kind registered twice: " + kind.getSimpleName());
      }
      return this;
    }

    public FilterRegistry build() {
      return new FilterRegistry(entries);
    }
  }
}
