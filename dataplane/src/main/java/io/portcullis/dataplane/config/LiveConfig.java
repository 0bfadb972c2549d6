package io.portcullis.dataplane.config;

import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.snapshot.Snapshot;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The one place the dataplane's current config lives. Swapped with a single volatile write; the
 * proxy reads it once per request.
 */
public final class LiveConfig {
  private volatile RuntimeConfig current;
  private final List<Consumer<RuntimeConfig>> listeners = new CopyOnWriteArrayList<>();
  private final ChainCompiler chains;

  /** A live config whose snapshots get the standard filters, TLS redirects to port 443. */
  public LiveConfig() {
    this(StandardFilters.chains(() -> 443));
  }

  /** A live config whose snapshots' filter chains {@code chains} compiles. */
  public LiveConfig(ChainCompiler chains) {
    this.chains = chains;
  }

  /** The current config, or null before the first snapshot is applied. */
  public RuntimeConfig current() {
    return current;
  }

  public boolean isReady() {
    return current != null;
  }

  /**
   * Builds and swaps in {@code snapshot}.
   *
   * @throws ConfigRejectedException when it cannot be applied; the previous config stays
   */
  public synchronized RuntimeConfig apply(Snapshot snapshot) {
    RuntimeConfig next = RuntimeConfig.build(snapshot, current, chains);
    current = next;
    listeners.forEach(l -> l.accept(next));
    return next;
  }

  /** Called after every successful swap (metrics, logs). */
  public void onApplied(Consumer<RuntimeConfig> listener) {
    listeners.add(listener);
  }
}
