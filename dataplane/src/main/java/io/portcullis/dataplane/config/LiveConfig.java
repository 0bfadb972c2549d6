package io.portcullis.dataplane.config;

import io.portcullis.dataplane.filter.ChainCompiler;
import io.portcullis.dataplane.filters.StandardFilters;
import io.portcullis.snapshot.Delta;
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
  private volatile CertificateTable.Builder certificates = CertificateTable.Builder.NONE;

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
    return apply(snapshot, null);
  }

  /**
   * Builds and swaps in {@code snapshot}, the result of applying {@code delta} to the current
   * config's snapshot: only what the delta names is indexed, compiled and loaded again, and every
   * other host keeps its routing index, filter chains and certificate binding. A delta that does
   * not lead from the current version to {@code snapshot}'s (or null) is worked out by comparing
   * the two snapshots (an identity walk over their parts) instead.
   *
   * @throws ConfigRejectedException when it cannot be applied; the previous config stays
   */
  public synchronized RuntimeConfig apply(Snapshot snapshot, Delta delta) {
    RuntimeConfig previous = current;
    Delta change = delta != null && previous != null
        && delta.baseVersion().equals(previous.version())
        && delta.version().equals(snapshot.version())
        && !snapshot.version().isBlank()
        ? delta : RuntimeConfig.changeSince(previous, snapshot);
    CertificateTable table = certificates.build(
        snapshot, previous == null ? CertificateTable.NONE : previous.certificates(), change);
    RuntimeConfig next = RuntimeConfig.build(snapshot, previous, chains, table, change);
    current = next;
    listeners.forEach(l -> l.accept(next));
    return next;
  }

  /**
   * Where the SNI certificate table of every config applied from now on comes from (the HTTPS
   * listener's certificate store); without one, configs carry no certificates.
   */
  public void certificatesFrom(CertificateTable.Builder builder) {
    this.certificates = builder;
  }

  /** Called after every successful swap (metrics, logs). */
  public void onApplied(Consumer<RuntimeConfig> listener) {
    listeners.add(listener);
  }
}
