package io.portcullis.dataplane.stream;

import io.portcullis.dataplane.config.ConfigRejectedException;
import io.portcullis.dataplane.config.LiveConfig;
import io.portcullis.snapshot.Delta;
import io.portcullis.snapshot.Snapshot;

/**
 * How the stream client makes a received snapshot live. Normally {@link LiveConfig#apply}; a seam
 * for checks that run before the swap (and for tests that need a dataplane which rejects).
 */
@FunctionalInterface
public interface ConfigApplier {
  /**
   * Makes {@code snapshot} the served config, atomically.
   *
   * @throws ConfigRejectedException when it cannot be served; the previous config must stay
   */
  void apply(Snapshot snapshot);

  /**
   * Makes {@code snapshot}, the result of {@code delta} applied to the served snapshot, the served
   * config; an applier that can use the delta looks only at what it names.
   *
   * @throws ConfigRejectedException when it cannot be served; the previous config must stay
   */
  default void apply(Snapshot snapshot, Delta delta) {
    apply(snapshot);
  }

  static ConfigApplier of(LiveConfig config) {
    return new ConfigApplier() {
      @Override
      public void apply(Snapshot snapshot) {
        config.apply(snapshot);
      }

      @Override
      public void apply(Snapshot snapshot, Delta delta) {
        config.apply(snapshot, delta);
      }
    };
  }
}
